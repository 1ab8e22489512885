//! A directory of brands and what they sell, so that the categorizer knows more merchants than
//! its synthetic training lines name. Built by `dhana ml build-directory` from OpenStreetMap's
//! name-suggestion-index (NSI, BSD-3-Clause) and nothing else: the generator's merchant lists
//! must stay out of it, or the figures on merchants held out of training would measure the
//! lists, not the directory. It is a feature of the model (`brand:<Category>`), never an
//! override: the model learns how far to trust it.
//!
//! The artifact (`ml-models/merchant-directory.tsv`) holds one brand a line: its words as
//! `ml::text` reads them from a bank line, a tab, one default category.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use crate::ml::text;

pub const DIRECTORY_FILE: &str = "merchant-directory.tsv";
const EMBEDDED: &str = include_str!("../../../ml-models/merchant-directory.tsv");

/// The longest brand name looked up, in words.
pub const MAX_WORDS: usize = 4;

/// Which directory a model was trained with: a model only means something with the same one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryStamp {
    pub entries: usize,
    /// FNV-1a of the artifact's bytes, in hex.
    pub fingerprint: String,
}

#[derive(Debug, PartialEq)]
pub struct Directory {
    /// FNV-1a of a brand's words joined by spaces → its categories, one bit an index into
    /// `categories`.
    brands: HashMap<u64, u32>,
    categories: Vec<String>,
    pub stamp: DirectoryStamp,
}

/// A brand found in a line: its first word's position, its length in words, its categories.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Found<'a> {
    pub start: usize,
    pub words: usize,
    mask: u32,
    directory: &'a Directory,
}

impl<'a> Found<'a> {
    pub fn categories(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.directory.categories_of(self.mask)
    }

    /// Its categories as one number, for `Directory::categories_of`.
    pub fn mask(&self) -> u32 {
        self.mask
    }
}

fn fnv(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The hash of `words` joined by single spaces, without building the joined string: the lookup
/// runs on every prediction.
fn words_hash(words: &[String]) -> u64 {
    let joined = words.iter().enumerate().flat_map(|(i, w)| {
        let space = (i > 0).then_some(b' ');
        space.into_iter().chain(w.bytes())
    });
    fnv(joined)
}

impl Directory {
    pub fn parse(tsv: &str) -> Result<Directory, String> {
        let mut brands = HashMap::new();
        let mut categories: Vec<String> = Vec::new();
        for (n, line) in tsv.lines().enumerate() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let mut fields = line.split('\t');
            let name = fields.next().unwrap_or_default();
            let mut mask = 0u32;
            for category in fields {
                let index = match categories.iter().position(|c| c == category) {
                    Some(i) => i,
                    None => {
                        categories.push(category.to_owned());
                        categories.len() - 1
                    }
                };
                if index >= 32 {
                    return Err("more than 32 categories".into());
                }
                mask |= 1 << index;
            }
            if mask == 0 {
                return Err(format!("line {}: no category", n + 1));
            }
            let words: Vec<String> = name.split(' ').map(str::to_owned).collect();
            if words.len() > MAX_WORDS || text::words(name) != words {
                return Err(format!("line {}: {name:?} is not a normalized name", n + 1));
            }
            if brands.insert(words_hash(&words), mask).is_some() {
                return Err(format!("line {}: {name:?} twice", n + 1));
            }
        }
        let stamp = DirectoryStamp {
            entries: brands.len(),
            fingerprint: format!("{:016x}", fnv(tsv.bytes())),
        };
        Ok(Directory {
            brands,
            categories,
            stamp,
        })
    }

    pub fn read(path: &Path) -> Result<Directory, String> {
        let tsv = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Directory::parse(&tsv).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The directory compiled into the binary, parsed once.
    pub fn embedded() -> Result<Arc<Directory>, String> {
        static PARSED: OnceLock<Result<Arc<Directory>, String>> = OnceLock::new();
        PARSED
            .get_or_init(|| Directory::parse(EMBEDDED).map(Arc::new))
            .clone()
    }

    /// The categories of a brand's `Found::mask`.
    pub fn categories_of(&self, mask: u32) -> impl Iterator<Item = &str> + '_ {
        let names = &self.categories;
        (0..names.len())
            .filter(move |i| mask & (1 << i) != 0)
            .map(move |i| names[i].as_str())
    }

    pub fn len(&self) -> usize {
        self.brands.len()
    }

    pub fn is_empty(&self) -> bool {
        self.brands.is_empty()
    }

    /// The brands in a line's words, left to right, each the longest that starts at its word
    /// (so "SHELL SELECT" wins over "SHELL"), not overlapping.
    pub fn find<'a>(&'a self, words: &[String], mut each: impl FnMut(Found<'a>)) {
        let mut i = 0;
        while i < words.len() {
            let longest = (1..=MAX_WORDS.min(words.len() - i)).rev().find_map(|n| {
                self.brands
                    .get(&words_hash(&words[i..i + n]))
                    .map(|&mask| (n, mask))
            });
            match longest {
                Some((n, mask)) => {
                    each(Found {
                        start: i,
                        words: n,
                        mask,
                        directory: self,
                    });
                    i += n;
                }
                None => i += 1,
            }
        }
    }

    /// The categories of a description's first brand (none when it names none), for reports.
    pub fn lookup(&self, description: &str) -> Vec<&str> {
        let mut first = None;
        self.find(&text::words(description), |found| {
            first.get_or_insert(found);
        });
        first.map_or_else(Vec::new, |f| f.categories().collect())
    }
}

/// OSM tags (key, value) whose brands sell one kind of thing we have a default category for.
/// Tags with no clear counterpart (banks, post offices, car dealers, lotteries, charity shops:
/// bought from or paid for many ways) are left out.
#[rustfmt::skip]
pub const TAG_CATEGORIES: &[(&str, &[&str], &str)] = &[
    ("shop", &["supermarket", "convenience", "greengrocer", "butcher", "bakery", "deli",
        "frozen_food", "seafood", "cheese", "dairy", "health_food", "spices", "nuts", "beverages",
        "alcohol", "wine", "tea", "coffee", "chocolate", "confectionery", "pastry"], "Groceries"),
    ("amenity", &["restaurant", "fast_food", "cafe", "bar", "pub", "ice_cream"], "Dining"),
    ("amenity", &["fuel", "charging_station"], "Fuel"),
    ("amenity", &["pharmacy", "clinic", "dentist", "doctors", "hospital"], "Health"),
    ("healthcare", &["alternative", "audiologist", "counselling", "dialysis", "laboratory",
        "physiotherapist", "rehabilitation", "sample_collection"], "Health"),
    ("shop", &["optician", "hearing_aids", "medical_supply"], "Health"),
    ("leisure", &["fitness_centre"], "Health"),
    ("shop", &["clothes", "department_store", "electronics", "shoes", "books", "furniture",
        "doityourself", "hardware", "sports", "toys", "jewelry", "gift", "variety_store",
        "computer", "houseware", "garden_centre", "bag", "baby_goods", "fashion_accessories",
        "appliance", "bed", "kitchen", "interior_decoration", "music", "musical_instrument",
        "outdoor", "pet", "stationery", "video_games", "watches", "bicycle", "camera", "craft",
        "fabric", "household_linen", "lighting", "paint", "party", "second_hand", "general",
        "catalogue", "games", "hifi", "model", "electrical", "power_tools", "frame", "leather",
        "art", "bathroom_furnishing", "carpet", "curtain", "flooring", "tiles",
        "mobile_phone_accessories", "florist", "anime", "candles", "pottery",
        "vacuum_cleaner"], "Shopping"),
    ("shop", &["hairdresser", "beauty", "cosmetics", "perfumery", "massage", "chemist"],
        "Personal Care"),
    ("tourism", &["hotel", "motel", "hostel"], "Travel"),
    ("amenity", &["car_rental"], "Travel"),
    ("shop", &["travel_agency"], "Travel"),
    ("amenity", &["cinema", "karaoke_box"], "Entertainment"),
    ("leisure", &["bowling_alley", "amusement_arcade", "escape_game", "trampoline_park",
        "indoor_play", "miniature_golf"], "Entertainment"),
    ("tourism", &["theme_park"], "Entertainment"),
    ("amenity", &["parking", "bicycle_rental", "car_sharing", "motorcycle_rental"], "Transport"),
    ("amenity", &["driving_school", "language_school", "music_school", "prep_school",
        "college", "university"], "Education"),
    ("office", &["insurance"], "Insurance"),
    ("office", &["telecommunication"], "Utilities"),
    ("shop", &["telecommunication"], "Utilities"),
    ("amenity", &["atm"], "Cash Withdrawal"),
];

/// The fewest letters a brand's words may hold: shorter names ("BP", "EE") are mostly
/// abbreviations that a bank line holds by chance.
const MIN_LETTERS: usize = 3;
/// A name NSI files under more categories than this says too little to be kept (Tesco's
/// supermarkets and petrol stations are two; a name that is also a cafe and a pharmacy is
/// more).
const MAX_CATEGORIES: usize = 2;

/// The words a bank line would show for a brand's name. An apostrophe may be printed or not
/// ("SAINSBURY'S", "SAINSBURYS"), and `ml::text` reads the two differently ("sainsbury",
/// "sainsburys"), so both are given.
pub fn normalize(name: &str) -> Vec<String> {
    let apostrophe = |c: char| matches!(c, '\'' | '’' | 'ʼ' | '`' | '´');
    let without: String = name.chars().filter(|&c| !apostrophe(c)).collect();
    let mut out: Vec<String> = [text::words(name), text::words(&without)]
        .into_iter()
        .filter(|words| !words.is_empty() && words.len() <= MAX_WORDS)
        .map(|words| words.join(" "))
        // Lower case may add marks that `ml::text` splits on ("BİM" → "bi̇m"): such a name
        // would not read back as itself.
        .filter(|name| text::words(name).join(" ") == *name)
        .collect();
    out.dedup();
    out
}

/// Latin script only: bank lines the model reads are, and other scripts would only grow the
/// artifact.
fn latin(name: &str) -> bool {
    name.chars()
        .all(|c| !c.is_alphabetic() || c.is_ascii() || ('\u{c0}'..'\u{250}').contains(&c))
}

/// What the builder kept and dropped, for the card.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BuildReport {
    pub files_read: usize,
    pub items: usize,
    pub names: usize,
    pub generic: usize,
    pub short: usize,
    pub common_words: usize,
    pub ambiguous: usize,
    /// Kept with two categories.
    pub several: usize,
    pub entries: usize,
    pub per_category: BTreeMap<String, usize>,
}

/// The directory's lines from NSI's `data/brands/<key>/<value>.json` files and its generic-name
/// patterns (`config/genericWords.json`, and each file's `exclude.generic`). A one-word name
/// that is an `ordinary` word ("shell", "target", "coffee", "birthday") is left out: in a bank
/// line it names a brand too seldom.
pub fn build(nsi: &Path, ordinary: &HashSet<String>) -> Result<(String, BuildReport), String> {
    let read = |path: &Path| -> Result<serde_json::Value, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
    };
    let patterns =
        |value: &serde_json::Value, pointer: &str| -> Result<Vec<regex::Regex>, String> {
            let list = value.pointer(pointer).and_then(|v| v.as_array());
            list.into_iter()
                .flatten()
                .filter_map(|p| p.as_str())
                .map(|p| regex::Regex::new(&format!("(?i){p}")).map_err(|e| e.to_string()))
                .collect()
        };
    let generic_words = patterns(
        &read(&nsi.join("config/genericWords.json"))?,
        "/genericWords",
    )?;
    let mut report = BuildReport::default();
    // Normalized name → the categories NSI files it under.
    let mut found: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    let brands = nsi.join("data/brands");
    for (key, values, category) in TAG_CATEGORIES {
        for value in *values {
            let path = brands.join(key).join(format!("{value}.json"));
            if !path.is_file() {
                continue;
            }
            let file = read(&path)?;
            report.files_read += 1;
            let generic: Vec<regex::Regex> = generic_words
                .iter()
                .cloned()
                .chain(patterns(&file, "/properties/exclude/generic")?)
                .collect();
            for item in file["items"].as_array().into_iter().flatten() {
                report.items += 1;
                let tags = &item["tags"];
                // Not the brand tag: sub-brands share it ("Kroger Pharmacy" has brand Kroger).
                let names: BTreeSet<&str> = ["name", "name:en"]
                    .iter()
                    .filter_map(|t| tags[*t].as_str())
                    .filter(|n| latin(n))
                    .collect();
                for name in names {
                    report.names += 1;
                    if generic.iter().any(|g| g.is_match(name.trim())) {
                        report.generic += 1;
                        continue;
                    }
                    for normalized in normalize(name) {
                        found.entry(normalized).or_default().insert(category);
                    }
                }
            }
        }
    }
    let mut lines = String::new();
    for (name, categories) in &found {
        if name.chars().filter(|c| c.is_alphabetic()).count() < MIN_LETTERS {
            report.short += 1;
        } else if !name.contains(' ') && (text::is_noise(name) || ordinary.contains(name)) {
            report.common_words += 1;
        } else if categories.len() > MAX_CATEGORIES {
            report.ambiguous += 1;
        } else {
            for category in categories {
                *report
                    .per_category
                    .entry((*category).to_owned())
                    .or_default() += 1;
            }
            report.several += usize::from(categories.len() > 1);
            report.entries += 1;
            let joined: Vec<&str> = categories.iter().copied().collect();
            lines.push_str(&format!("{name}\t{}\n", joined.join("\t")));
        }
    }
    Ok((lines, report))
}

pub const LICENSE_FILE: &str = "merchant-directory.LICENSE";

/// The lower-case entries of a word list, one a line (Debian's `wamerican`:
/// /usr/share/dict/words). Capitalised entries are names ("Kroger", "Texaco"), not ordinary
/// words.
pub fn ordinary_words(path: &Path) -> Result<HashSet<String>, String> {
    let list = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(list
        .lines()
        .filter(|w| w.chars().all(|c| c.is_lowercase() || c == '\''))
        .map(|w| w.replace('\'', ""))
        .collect())
}

/// `dhana ml build-directory`: builds from the NSI tree at `nsi` and the word list at `words`,
/// and writes the artifact and NSI's license beside it into `out_dir`.
pub fn write(nsi: &Path, words: &Path, out_dir: &Path) -> Result<BuildReport, String> {
    let (lines, report) = build(nsi, &ordinary_words(words)?)?;
    let collected = std::fs::read_to_string(nsi.join("config/collectionDate")).unwrap_or_default();
    let license = std::fs::read_to_string(nsi.join("LICENSE.md"))
        .map_err(|e| format!("{}: {e}", nsi.join("LICENSE.md").display()))?;
    let tsv = format!(
        "# Merchant directory of the Dhana categorizer, built by `dhana ml build-directory` from\n\
         # OpenStreetMap's name-suggestion-index (https://github.com/osmlab/name-suggestion-index,\n\
         # collection date {collected}), BSD-3-Clause, (c) name-suggestion-index contributors:\n\
         # see {LICENSE_FILE}.\n\
         # {} brands ({} of them under two categories) from {} names in {} files; left out: {}\n\
         # generic, {} under {MIN_LETTERS} letters, {} ordinary words (lower-case words of\n\
         # {words}), {} under more than\n\
         # {MAX_CATEGORIES} categories.\n\
         # One brand a line: its words as a bank line shows them, then its categories, tab-separated.\n\
         {lines}",
        report.entries,
        report.several,
        report.names,
        report.files_read,
        report.generic,
        report.short,
        report.common_words,
        report.ambiguous,
        collected = collected.trim(),
        words = words.display(),
    );
    Directory::parse(&tsv)?;
    std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let notice = format!(
        "ml-models/{DIRECTORY_FILE} is derived from OpenStreetMap's name-suggestion-index\n\
         (https://github.com/osmlab/name-suggestion-index), whose license follows.\n\n{license}"
    );
    for (name, bytes) in [(DIRECTORY_FILE, tsv), (LICENSE_FILE, notice)] {
        let path = out_dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        text::words(line)
    }

    fn found(directory: &Directory, line: &str) -> Vec<(String, Vec<String>)> {
        let words = words(line);
        let mut out = Vec::new();
        directory.find(&words, |f| {
            let mut categories: Vec<String> = f.categories().map(str::to_owned).collect();
            categories.sort_unstable();
            out.push((words[f.start..f.start + f.words].join(" "), categories))
        });
        out
    }

    fn one(name: &str, categories: &[&str]) -> Vec<(String, Vec<String>)> {
        vec![(
            name.to_owned(),
            categories.iter().map(|c| (*c).to_owned()).collect(),
        )]
    }

    #[test]
    fn names_read_as_a_bank_line_reads_them() {
        assert_eq!(normalize("Trader Joe's"), ["trader joe", "trader joes"]);
        assert_eq!(normalize("Sainsbury’s"), ["sainsbury", "sainsburys"]);
        assert_eq!(normalize("Kroger"), ["kroger"]);
        assert_eq!(normalize("7-Eleven"), ["eleven"]);
        assert_eq!(
            normalize("H&M"),
            Vec::<String>::new(),
            "single letters are no words"
        );
        assert!(normalize("Alpha Beta Gamma Delta Epsilon").is_empty());
    }

    #[test]
    fn bank_lines_find_their_brand_longest_first() {
        let directory = Directory::parse(
            "# header\nkroger\tGroceries\nsainsburys\tGroceries\nshell\tFuel\tGroceries\n\
             shell select\tGroceries\n",
        )
        .unwrap();
        assert_eq!(directory.len(), 4);
        assert_eq!(
            found(&directory, "POS KROGER #1234 CINCINNATI OH"),
            one("kroger", &["Groceries"])
        );
        assert_eq!(
            found(&directory, "CARD PAYMENT TO SAINSBURYS S/MKTS"),
            one("sainsburys", &["Groceries"])
        );
        assert_eq!(
            found(&directory, "SHELL SELECT 0042 LEEDS"),
            one("shell select", &["Groceries"])
        );
        assert_eq!(
            found(&directory, "Shell Oil 12/03"),
            one("shell", &["Fuel", "Groceries"])
        );
        assert!(found(&directory, "ROSE DENTAL CARE").is_empty());
        assert_eq!(directory.lookup("kroger shell"), ["Groceries"]);
        assert!(directory.lookup("nothing here").is_empty());
    }

    #[test]
    fn a_damaged_directory_is_refused() {
        assert!(Directory::parse("kroger Groceries\n").is_err(), "no tab");
        assert!(Directory::parse("kroger\n").is_err(), "no category");
        assert!(
            Directory::parse("Kroger\tGroceries\n").is_err(),
            "not normalized"
        );
        assert!(Directory::parse("kroger\tGroceries\nkroger\tDining\n").is_err());
    }

    fn put(dir: &Path, path: &str, json: &str) {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, json).unwrap();
    }

    fn item(name: &str, key: &str, value: &str) -> String {
        format!(
            r#"{{"displayName": "{name}", "tags": {{"brand": "{name}", "name": "{name}", "{key}": "{value}"}}}}"#
        )
    }

    /// A small tree shaped like NSI's: tags mapped, generic, short, common and ambiguous names
    /// dropped, apostrophes read both ways.
    #[test]
    fn the_builder_reads_an_nsi_shaped_tree() {
        let dir = tempfile::tempdir().unwrap();
        let nsi = dir.path();
        put(
            nsi,
            "config/genericWords.json",
            r#"{"genericWords": ["^(shops?|stores?)$"]}"#,
        );
        let supermarkets = [
            item("Trader Joe's", "shop", "supermarket"),
            item("Kroger", "shop", "supermarket"),
            item("Store", "shop", "supermarket"),
            item("Supermercado", "shop", "supermarket"),
            item("Coop", "shop", "supermarket"),
            item("Express Foods", "shop", "supermarket"),
            item("Superstore", "shop", "supermarket"),
            item("Express", "shop", "supermarket"),
            item("Tesco", "shop", "supermarket"),
            item("Костко", "shop", "supermarket"),
        ];
        let brands = |file: &str, properties: &str, items: &[String]| {
            let json = format!(
                r#"{{"properties": {{{properties}}}, "items": [{}]}}"#,
                items.join(",")
            );
            put(nsi, &format!("data/brands/{file}.json"), &json)
        };
        brands(
            "shop/supermarket",
            r#""exclude": {"generic": ["^supermercado$"]}"#,
            &supermarkets,
        );
        let fuel = [
            item("Texaco", "amenity", "fuel"),
            item("BP", "amenity", "fuel"),
            item("Coop", "amenity", "fuel"),
            item("Express Fuel", "amenity", "fuel"),
            item("Tesco", "amenity", "fuel"),
        ];
        brands("amenity/fuel", "", &fuel);
        let grill = [
            item("Express Grill", "amenity", "restaurant"),
            item("Coop", "amenity", "restaurant"),
        ];
        brands("amenity/restaurant", "", &grill);
        let sub_brand = r#"{"tags": {"brand": "Kroger", "name": "Kroger Pharmacy"}}"#;
        brands("amenity/pharmacy", "", &[sub_brand.to_owned()]);
        // No counterpart in our categories: never read.
        brands("amenity/bank", "", &[item("Chase", "amenity", "bank")]);
        let ordinary = ["express", "shell"].map(str::to_owned).into();
        let (lines, report) = build(nsi, &ordinary).unwrap();
        let directory = Directory::parse(&lines).unwrap();
        let category = |line: &str| {
            let mut found = directory.lookup(line);
            found.sort_unstable();
            found
        };
        let none: &[&str] = &[];
        assert_eq!(category("TRADER JOE'S #552"), ["Groceries"]);
        assert_eq!(category("TRADER JOES 552"), ["Groceries"]);
        assert_eq!(
            category("KROGER"),
            ["Groceries"],
            "not the pharmacy's brand tag"
        );
        assert_eq!(category("KROGER PHARMACY"), ["Health"]);
        assert_eq!(category("TEXACO 0091"), ["Fuel"]);
        assert_eq!(category("TESCO STORES"), ["Fuel", "Groceries"]);
        assert_eq!(category("EXPRESS GRILL"), ["Dining"]);
        assert_eq!(category("STORE 12"), none, "NSI's generic words");
        assert_eq!(category("SUPERMERCADO"), none, "the file's generic words");
        assert_eq!(category("BP 1234"), none, "too short");
        assert_eq!(
            category("COOP"),
            none,
            "a supermarket, a fuel station, a restaurant"
        );
        assert_eq!(
            category("EXPRESS"),
            none,
            "a word of names in three categories"
        );
        assert_eq!(category("SUPERSTORE"), ["Groceries"]);
        assert_eq!(category("CHASE"), none);
        assert_eq!(report.files_read, 4);
        assert_eq!(report.generic, 2);
        assert_eq!(report.ambiguous, 1);
        assert_eq!(report.several, 1);
        assert_eq!(report.common_words, 1);
        assert_eq!(report.short, 1);
        assert_eq!(report.entries, directory.len());
    }
}
