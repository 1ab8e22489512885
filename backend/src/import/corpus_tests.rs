//! Parses every file of the third-party corpus (`shared/corpus`, beside the repository; or
//! `DHANA_CORPUS_DIR`) with no mapping and compares with its manifest. Reports a PASS/FAIL
//! table; fails only when a file listed in `backend/tests/corpus-passing.txt` stops passing.
//! When the corpus is absent the test says so and passes: it is optional data.

use super::{parse, ParseOptions};
use serde_json::Value;
use std::path::PathBuf;

fn corpus_dir() -> PathBuf {
    match std::env::var_os("DHANA_CORPUS_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus")),
    }
}

/// Checks one manifest entry: `Ok(None)` passed, `Ok(Some(why))` failed, `Err` not scored.
fn check(dir: &std::path::Path, entry: &Value) -> Result<Option<String>, String> {
    let path = entry["path"].as_str().unwrap_or_default();
    let expect = &entry["expect"];
    let bytes = std::fs::read(dir.join(path)).map_err(|e| format!("unreadable: {e}"))?;
    let currency = expect["currency"].as_str();
    let digits = currency.map_or(2, crate::money::minor_unit_digits);
    let options = ParseOptions {
        filename: path.rsplit('/').next(),
        mapping: None,
        minor_unit_digits: digits,
    };
    let result = parse(&bytes, &options);
    if expect["ambiguous"].as_bool() == Some(true) {
        return Err(match result {
            Ok(p) => format!("ambiguous: {} rows, sum {}", p.rows.len(), sum(&p)),
            Err(e) => format!("ambiguous: error: {e}"),
        });
    }
    if expect["error"].as_bool() == Some(true) {
        return Ok(match result {
            Err(_) => None,
            Ok(p) => Some(format!("expected an error, got {} rows", p.rows.len())),
        });
    }
    let parsed = match result {
        Ok(p) => p,
        Err(e) => return Ok(Some(format!("error: {e}"))),
    };
    let count = parsed.rows.len() as u64;
    let first = parsed
        .rows
        .iter()
        .map(|r| r.date)
        .min()
        .map(|d| d.to_string());
    let last = parsed
        .rows
        .iter()
        .map(|r| r.date)
        .max()
        .map(|d| d.to_string());
    let mut diffs = Vec::new();
    if Some(count) != expect["count"].as_u64() {
        diffs.push(format!("count {count} != {}", expect["count"]));
    }
    if Some(sum(&parsed)) != expect["sum_minor"].as_i64() {
        diffs.push(format!("sum {} != {}", sum(&parsed), expect["sum_minor"]));
    }
    if first.as_deref() != expect["first_date"].as_str() {
        diffs.push(format!("first {first:?} != {}", expect["first_date"]));
    }
    if last.as_deref() != expect["last_date"].as_str() {
        diffs.push(format!("last {last:?} != {}", expect["last_date"]));
    }
    Ok(if diffs.is_empty() {
        None
    } else {
        Some(diffs.join("; "))
    })
}

fn sum(p: &super::Parsed) -> i64 {
    p.rows.iter().map(|r| r.amount).sum()
}

#[test]
fn corpus_files_import_as_the_manifest_says() {
    let dir = corpus_dir();
    let Ok(manifest) = std::fs::read_to_string(dir.join("manifest.json")) else {
        println!(
            "note: no corpus at {} (set DHANA_CORPUS_DIR); skipping the corpus report",
            dir.display()
        );
        return;
    };
    let entries: Vec<Value> = serde_json::from_str(&manifest).expect("manifest.json is JSON");
    let listed = include_str!("../../tests/corpus-passing.txt");
    let must_pass: Vec<&str> = listed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let (mut passed, mut failed, mut unscored) = (0, 0, 0);
    let mut regressions = Vec::new();
    for entry in &entries {
        let path = entry["path"].as_str().unwrap_or_default();
        match check(&dir, entry) {
            Ok(None) => {
                passed += 1;
                println!("PASS  {path}");
            }
            Ok(Some(why)) => {
                failed += 1;
                println!("FAIL  {path}: {why}");
                if must_pass.contains(&path) {
                    regressions.push(path.to_string());
                }
            }
            Err(note) => {
                unscored += 1;
                println!("----  {path}: {note}");
            }
        }
    }
    println!("corpus: {passed} passed, {failed} failed, {unscored} not scored (ambiguous)");
    assert!(
        regressions.is_empty(),
        "files listed in corpus-passing.txt no longer pass: {regressions:?}"
    );
}
