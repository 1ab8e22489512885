//! The model card, `ml-models/README.md`, written from the measured metrics by `dhana ml train`.

use std::fmt::Write;

use crate::ml::pipeline::Metrics;
use crate::ml::trust::{DirectionCheck, Judged};

fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

pub fn render(m: &Metrics) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "# Categorizer model card

_Written by `dhana ml train`; do not edit by hand. Regenerate with
`dhana ml generate-dataset --seed {seed} --size {size}` and
`dhana ml train --dataset ml-models/dataset.csv --seed {seed}` (or `dhana ml train` alone, which
generates the same dataset in memory)._

## What it predicts
The default category (one of {classes}) of a bank transaction, from its description and amount:
{class_list}.
The server maps the name to the user's category of the same name (case-insensitively) and says
so when the user has none. Each user's own corrections are remembered per merchant in the
database and answer before this model; the model itself never learns from a user.

## How it was trained
- Data: {size} synthetic statement lines (seed {seed}) made by `dhana ml generate-dataset`:
  merchants from US, UK, EU and Indian banks, with the noise banks add (`POS`, `SQ *`,
  `PAYPAL *`, store numbers, card suffixes, dates, references, cities, upper/title/lower case,
  truncation), log-normal amounts per category, salaries, refunds and transfers; and plain
  descriptions of what was bought (three lines in ten: \"Haircut at Rose Salon\", \"monthly
  phone bill\") from per-category lists of common spending words.
- Split: {train} train / {validation} validation / {test} test (shuffled with the seed).
  Apart from it, each candidate is trained again without about a fifth of the merchants; half
  of those merchants' rows choose the model (the best accuracy there wins) and fit its
  temperature, the other half are only scored. The figures below are on the test split and on
  that other half, which nothing was fitted or chosen on.
- Features: {features}. Words holding digits are dropped; features are hashed (FNV-1a) into a
  fixed number of slots, so there is no vocabulary file.
- Model: {family}, temperature {temperature} (scores are divided by it before the softmax so
  that confidences match observed accuracy on merchants held out of training: half of them fit
  the temperature, the other half are scored below).
- Artifacts: `categorizer.json` (classes, feature configuration, biases, temperature),
  `categorizer.weights` (little-endian f32, slots × classes), `metrics.json`. Version
  `{version}`, trained {trained_at}.

## Measured quality (held-out test split)
| measure | value |
|---|---|
| accuracy | {accuracy} |
| macro-F1 | {macro_f1:.4} |
| predictions per second, one core (features, scores, ranking, explanation) | {pps:.0} |
| training time on all {size} examples | {full_train:.2} s |
| accuracy on merchants never seen in training (trained without a fifth of the merchants) | {unseen} |
| macro-F1 on those merchants | {unseen_f1:.4} |
{build_note}
### Model comparison
Unseen merchants: trained without a fifth of the merchants; \"choose\" is the half of their rows
that picks the model, \"test\" the other half. \"—\": not fitted again, being more than 5 points
behind on validation.

| family | features | validation acc. | test acc. | test macro-F1 | unseen merchants, choose | unseen merchants, test | train s | predictions/s | weights | chosen |
|---|---|---|---|---|---|---|---|---|---|---|
",
        seed = m.dataset.seed,
        size = m.dataset.size,
        classes = m.held_out.per_class.len(),
        class_list = m
            .held_out
            .per_class
            .iter()
            .map(|c| c.class.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        train = m.dataset.train,
        validation = m.dataset.validation,
        test = m.dataset.test,
        features = m.features,
        family = m.family,
        temperature = m.temperature,
        version = m.version,
        trained_at = m.trained_at,
        accuracy = pct(m.held_out.accuracy),
        macro_f1 = m.held_out.macro_f1,
        pps = m.predictions_per_second,
        full_train = m.full_dataset_train_seconds,
        unseen = pct(m.unseen_merchants.accuracy),
        unseen_f1 = m.unseen_merchants.macro_f1,
        build_note = if m.optimised_build {
            ""
        } else {
            "\nTimings (here and below) are from an unoptimised debug build, several times slower \
             than the release build a server runs.\n"
        },
    );
    for c in &m.comparison {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {:.4} | {} | {} | {:.2} | {:.0} | {:.1} MB | {} |",
            c.family,
            c.features,
            pct(c.validation_accuracy),
            pct(c.test_accuracy),
            c.test_macro_f1,
            c.unseen_validation_accuracy.map_or("—".into(), pct),
            c.unseen_test_accuracy.map_or("—".into(), pct),
            c.train_seconds,
            c.predictions_per_second,
            c.weights_bytes as f64 / 1e6,
            if c.chosen { "yes" } else { "" }
        );
    }
    s.push_str(
        "\nNaive Bayes needs only per-class feature sums and is fitted on everything; so is the \
         sparse SGD logistic regression (`ml::train`). smartcore's logistic regression (L-BFGS \
         on a dense matrix) could only be given 5,000 rows over 2^8 slots and reached 59.78% \
         test accuracy in a minute of training; it is no longer a candidate. The SGD model is \
         trained leaving out each word of a training row (with its bigram and character \
         n-grams) with probability 0.5, so that it learns to judge a line by what is left when \
         the merchant's name means nothing to it.\n\n\
         Tried by hand on the same held-out merchants (the \"test\" half, trained without them) \
         and not kept, against naive Bayes' 67.74%:\n\
         - naive Bayes normalised by each class's feature count: +0.2 points, but \
         personalization at 0 corrections fell from 73.7% to 57.4%;\n\
         - three naive Bayes models (words and bigrams, character n-grams, amount) added with \
         weights: 71.56% at n-grams ×0.25, amount ×4, the best of a grid of 0–1 × 0–8 (as one \
         model with those weights, the candidate above: 70.16%); two or four amount buckets \
         per doubling changed it by under 0.1 point;\n\
         - sparse logistic regression (3 passes) without word dropout: 66.98%; dropout 0.5: \
         72.70%; 0.7: 72.46%; with the NB kind weights: 70.50%; at 5 passes with each word also \
         paired with the amount's bucket: 72.80% (72.99% without);\n\
         - the logistic regression plus naive Bayes as one linear model (NB weights ×0.1, \
         ×0.25, ×0.5 added): 71.99%, 70.18%, 69.14%, each below the logistic regression alone.\n\
         \nWhat no candidate without the merchant directory reaches: about 55% of the held-out \
         merchants' rows are brand names (\"KROGER\", \"SAINSBURYS\") that carry no word of \
         their kind; for those only the amount and chance resemblances of letters are left, \
         and naive Bayes got 44% of them right (plain descriptions 96%, made-up names with a \
         kind word 98%). The directory's brands, below, are what moves those rows.\n",
    );
    directory(&mut s, m);
    s.push_str(
        "\n### Per class\n| class | precision | recall | F1 | support |\n|---|---|---|---|---|\n",
    );
    for c in &m.held_out.per_class {
        let _ = writeln!(
            s,
            "| {} | {:.3} | {:.3} | {:.3} | {} |",
            c.class, c.precision, c.recall, c.f1, c.support
        );
    }
    trust(&mut s, m);
    s.push_str(
        "\n## Personalization\nA simulated user files about a third of their merchants their own \
         way (some under categories they invented: Coffee, Kids) and corrects each transaction the \
         categorizer gets wrong, in order. Accuracy on a fixed set of 1,000 later transactions \
         of theirs:\n\n| corrections | accuracy |\n|---|---|\n",
    );
    for p in &m.personalization {
        let _ = writeln!(s, "| {} | {} |", p.corrections, pct(p.accuracy));
    }
    s.push_str("\n## Real bank descriptions\n");
    match &m.corpus {
        Some(corpus) => {
            s.push_str(
                "Files of the shared corpus of third-party bank exports whose rows carry the \
                 bank's own category, mapped by hand to ours (`backend/src/ml/corpus.rs`; rows \
                 whose label has no counterpart are left out):\n\n| file | rows | correct |\n|---|---|---|\n",
            );
            for f in &corpus.files {
                let _ = writeln!(s, "| {} | {} | {} |", f.path, f.rows, f.correct);
            }
            let _ = writeln!(
                s,
                "| **overall** | {} | {} ({}) |",
                corpus.rows,
                corpus.correct,
                pct(corpus.accuracy)
            );
        }
        None => s.push_str("Not measured: the shared corpus was not found.\n"),
    }
    direction(&mut s, m);
    s.push_str(
        "\n## Limits\n\
         - Trained on synthetic lines only: merchants it has never seen are judged by their words \
         and character n-grams, which works for descriptive names (\"… PHARMACY\") and not for \
         opaque ones (a person's name, a bank reference), and by the merchant directory's \
         category where the line names one of its brands (chains mapped in OpenStreetMap; a \
         local shop, an online service or a brand that is also an ordinary word is not in it).\n\
         - The real-bank figure rests on few rows, and bank labels often disagree with ours \
         (a fuel purchase filed under \"Travel\").\n\
         - The held-out split shares merchants with the training data (as a user's next statement \
         does); the unseen-merchant figure above is the one to expect for a shop it has never \
         met.\n\
         - No day-of-week feature: `POST /categorize` takes no date.\n\
         - English-leaning vocabulary with some German, French, Dutch and Indian banking terms.\n\
         - Confidence is calibrated on synthetic merchants held out of training; on real data \
         it may still be optimistic.\n\
         - The hand-written lines were written apart from the generator, but the plain words \
         the generator knows (\"massage\", \"phone bill\") are common on purpose: a line \
         whose words none of those lists hold is judged by character n-grams alone.\n",
    );
    s
}

fn directory(s: &mut String, m: &Metrics) {
    let Some(d) = &m.directory else { return };
    let share = |n: usize, of: usize| pct(n as f64 / of.max(1) as f64);
    let _ = write!(
        s,
        "\n### Merchant directory\n`merchant-directory.tsv` ({entries} brands, fingerprint \
         `{fingerprint}`) is built by `dhana ml build-directory` from OpenStreetMap's \
         name-suggestion-index alone (BSD-3-Clause, see `merchant-directory.LICENSE`): each \
         brand's OSM tag mapped to one of our categories (a brand NSI files under two, such as \
         a supermarket chain with petrol stations, keeps both), names under more categories, \
         NSI's generic names, names under three letters and one-word names that are ordinary \
         English words left out (`backend/src/ml/directory.rs`). A candidate with its brands \
         gets one more feature per category of each brand a line names (its words, 1–4 at a \
         time, longest first): the brand's categories, never an override; when that feature \
         decided, the explanation says so (\"because the merchant directory files “wegmans” \
         under Groceries\"). It names a brand in \
         {named} of the generator's {merchants} merchant names ({same} of them under the \
         generator's category); it was not built from those lists, so the held-out merchants \
         stay unseen. Of the held-out merchants' \"test\" rows, {rows_named} of {rows} ({rows_share}) \
         name a directory brand; top-1 on those and on the rest (a local shop no directory \
         knows), trained without those merchants:\n\n\
         | family | features | rows naming a directory brand | other rows | all |\n\
         |---|---|---|---|---|\n",
        entries = d.entries,
        fingerprint = d.fingerprint,
        named = d.generator_merchants_named,
        merchants = d.generator_merchants,
        same = d.generator_merchants_same_category,
        rows_named = d.unseen_test_rows_named,
        rows = d.unseen_test_rows,
        rows_share = share(d.unseen_test_rows_named, d.unseen_test_rows),
    );
    for c in &m.comparison {
        let Some(all) = c.unseen_test_accuracy else {
            continue;
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            c.family,
            c.features,
            c.unseen_test_named_accuracy.map_or("—".into(), pct),
            c.unseen_test_unnamed_accuracy.map_or("—".into(), pct),
            pct(all)
        );
    }
}

fn trust(s: &mut String, m: &Metrics) {
    let t = &m.trust;
    let _ = write!(
        s,
        "\n## Filing on its own\nAt the server's default filing threshold \
         (`DHANA_CATEGORIZER_MIN_CONFIDENCE` = {}) the categorizer files a row by itself; below \
         it the row stays uncategorized with the guess as a suggestion. Judged as the server \
         judges a new user's rows (only categories whose kind fits the money's direction). \
         `ml-models/unseen.csv` holds hand-written merchants and plain descriptions (\"Deep \
         tissue massage\", \"Phone bill\") that no generator list holds.\n\n\
         | rows | count | top-1 accuracy | coverage (filed by itself) | right when filed |\n\
         |---|---|---|---|---|\n",
        t.threshold
    );
    for (name, j) in [
        ("held-out test split", &t.held_out),
        (
            "merchants never seen in training (synthetic, model trained without them)",
            &t.unseen_merchants,
        ),
        (
            "hand-written unseen merchants and phrasings",
            &t.hand_written,
        ),
    ] {
        let f = &j.filing;
        let _ = writeln!(
            s,
            "| {name} | {} | {} | {} | {} |",
            f.rows,
            pct(f.top1_accuracy),
            pct(f.coverage),
            pct(f.filed_accuracy)
        );
    }
    s.push_str("\n### Reliability (does a confidence of 0.8 mean right 8 times in 10?)\n");
    for (name, j) in [
        ("Merchants never seen in training", &t.unseen_merchants),
        (
            "Hand-written unseen merchants and phrasings",
            &t.hand_written,
        ),
    ] {
        reliability(s, name, j);
    }
}

fn reliability(s: &mut String, name: &str, j: &Judged) {
    let _ = write!(
        s,
        "\n{name}:\n\n| confidence | rows | mean confidence | accuracy |\n|---|---|---|---|\n"
    );
    for b in &j.reliability {
        let _ = writeln!(
            s,
            "| {:.1}–{:.1} | {} | {:.3} | {} |",
            b.from,
            b.to,
            b.rows,
            b.mean_confidence,
            if b.rows == 0 {
                "–".into()
            } else {
                pct(b.accuracy)
            }
        );
    }
}

fn direction(s: &mut String, m: &Metrics) {
    s.push_str(
        "\n## Money direction\nRows whose category kind contradicts the money's direction \
         (money in under an expense category, money out under an income one). The model alone \
         sometimes proposes such a category; the direction rule (`backend/src/ml/direction.rs`) \
         never files one, except money in with refund wording as a refund (a user's own earlier \
         spending at the merchant is the other evidence, not available here).\n\n\
         | rows | count | model alone contradicts | proposed contradicting (outside refunds) | proposed as refunds |\n\
         |---|---|---|---|---|\n",
    );
    let corpus = m.corpus.as_ref().map(|c| &c.direction);
    let rows: [(&str, Option<&DirectionCheck>); 3] = [
        ("held-out test split", Some(&m.trust.direction_held_out)),
        ("hand-written unseen", Some(&m.trust.direction_hand_written)),
        ("real bank files of the shared corpus (every row)", corpus),
    ];
    for (name, check) in rows {
        let Some(d) = check else { continue };
        let share = |n: usize| {
            if d.rows == 0 {
                "–".to_owned()
            } else {
                format!("{n} ({})", pct(n as f64 / d.rows as f64))
            }
        };
        let _ = writeln!(
            s,
            "| {name} | {} | {} | {} | {} |",
            d.rows,
            share(d.model_alone_contradicting),
            share(d.proposed_contradicting),
            share(d.refunds)
        );
    }
}
