//! Labelled anomalies injected into a synthetic household (`forecast::households`), for
//! measuring detection: a spike of 3, 5 or 10 times a merchant's usual amount, a duplicate
//! charge, a large first payment to a new merchant, and a monthly bill that did not come.

use chrono::Duration;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::forecast::households::Household;
use crate::forecast::recurring::{line_key, Cadence, Line};
use crate::insights::anomalies::{HISTORY_DAYS, HISTORY_PAYMENTS};

/// What was injected, and how detection should find it.
#[derive(Clone, Debug, PartialEq)]
pub enum Injected {
    /// The transaction's amount set to `times` its merchant's median payment.
    Spike {
        transaction_id: i64,
        times: u32,
    },
    /// A copy of a payment, `transaction_id` being the copy.
    Duplicate {
        transaction_id: i64,
    },
    NewMerchant {
        transaction_id: i64,
    },
    /// The last payment of the series `key` removed.
    MissedBill {
        key: String,
    },
}

/// Payments a merchant needs before a spike on it is injected: a spike needs a usual amount.
const SPIKE_HISTORY: usize = 6;
const NEW_MERCHANTS: &[&str] = &[
    "HARBOR DENTAL CLINIC",
    "ZENITH MOTORS",
    "LAKESIDE VET",
    "PINNACLE ROOFING",
    "NOVA JEWELERS",
    "SUMMIT LEGAL",
];

fn median(mut values: Vec<i64>) -> i64 {
    values.sort_unstable();
    values[values.len() / 2]
}

/// Injects one of each kind (a missed bill when the household has a monthly bill to miss)
/// into `house`'s last `window_days`; `spike_times` is 3, 5 or 10. Returns the labels.
pub fn inject(
    house: &mut Household,
    seed: u64,
    window_days: i64,
    spike_times: u32,
) -> Vec<Injected> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0xa40_a1e5);
    let end = house.end;
    let from = end - Duration::days(window_days - 1);
    let mut labels = Vec::new();
    let mut next_id = house.lines.iter().map(|l| l.id).max().unwrap_or(0) + 1;

    // A missed bill: the last payment of a monthly bill paid at least 10 days before the end,
    // so that it is past its 7 days of grace.
    let mut monthly: Vec<String> = house
        .truths
        .iter()
        .filter(|t| t.cadence == Cadence::Monthly && t.key.starts_with("out|"))
        .map(|t| t.key.clone())
        .collect();
    monthly.sort();
    monthly.shuffle(&mut rng);
    for key in monthly {
        let merchant = key.rsplit('|').next().unwrap_or_default().to_owned();
        let last = house
            .lines
            .iter()
            .filter(|l| l.amount < 0 && line_key(l) == merchant)
            .max_by_key(|l| l.date)
            .filter(|l| l.date >= from && l.date <= end - Duration::days(10))
            .map(|l| l.id);
        if let Some(id) = last {
            house.lines.retain(|l| l.id != id);
            labels.push(Injected::MissedBill { key });
            break;
        }
    }

    let mut lines: Vec<&Line> = house.lines.iter().filter(|l| l.amount < 0).collect();
    lines.sort_by_key(|l| (l.date, l.id));
    let in_window: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].date >= from)
        .collect();

    // A spike on a payment whose merchant has a history.
    let mut spike = None;
    for _ in 0..200 {
        let &i = in_window
            .choose(&mut rng)
            .expect("a household pays every month");
        let key = line_key(lines[i]);
        // The usual amount as detection reads it: the merchant's last payments of the
        // history it looks at (a subscription's price of two years ago is not its usual).
        let since = lines[i].date - Duration::days(HISTORY_DAYS);
        let history: Vec<i64> = lines[..i]
            .iter()
            .rev()
            .take_while(|l| l.date >= since)
            .filter(|l| line_key(l) == key)
            .take(HISTORY_PAYMENTS)
            .map(|l| -l.amount)
            .collect();
        if history.len() >= SPIKE_HISTORY {
            spike = Some((lines[i].id, median(history) * i64::from(spike_times)));
            break;
        }
    }
    // A duplicate of another payment, 0 to 3 days later.
    let original = {
        let &i = in_window
            .choose(&mut rng)
            .expect("a household pays every month");
        lines[i].clone()
    };
    let year: Vec<i64> = lines
        .iter()
        .filter(|l| l.date >= from - Duration::days(365) && l.date < from)
        .map(|l| -l.amount)
        .collect();
    let usual = median(year);

    if let Some((id, amount)) = spike.filter(|s| s.0 != original.id) {
        if let Some(line) = house.lines.iter_mut().find(|l| l.id == id) {
            line.amount = -amount;
            labels.push(Injected::Spike {
                transaction_id: id,
                times: spike_times,
            });
        }
    }
    let copy_date = (original.date + Duration::days(rng.gen_range(0..=3))).min(end);
    house.lines.push(Line {
        id: next_id,
        date: copy_date,
        ..original
    });
    labels.push(Injected::Duplicate {
        transaction_id: next_id,
    });
    next_id += 1;

    let name = NEW_MERCHANTS.choose(&mut rng).expect("names");
    let date = from + Duration::days(rng.gen_range(0..window_days));
    house.lines.push(Line {
        id: next_id,
        account_id: 1,
        date,
        amount: -(usual as f64 * rng.gen_range(10.0..30.0)).round() as i64,
        currency: "USD".into(),
        description: format!("{name} {}", rng.gen_range(1000..9999)),
        merchant: None,
        category_id: Some(7),
    });
    labels.push(Injected::NewMerchant {
        transaction_id: next_id,
    });
    labels
}
