//! Bytes → text: BOMs, UTF-8, UTF-16, and the legacy code pages bank exports still use
//! (Windows-1252 — a superset of Latin-1 for printable text — and Windows-1250 for Central
//! Europe).

use super::ImportError;
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1250, WINDOWS_1252};

/// Decoded text: borrowed from the bytes when they are UTF-8 already (a large upload is then
/// held once), owned when a code page was decoded.
pub struct Text<'a> {
    pub text: std::borrow::Cow<'a, str>,
    pub encoding: &'static Encoding,
}

/// An encoding from a label a user or a file gives: WHATWG labels (`utf-8`, `latin1`,
/// `windows-1252`, `iso-8859-2`…) plus the bare code-page numbers OFX headers use (`1252`,
/// `8859-1`).
pub fn by_label(label: &str) -> Option<&'static Encoding> {
    let l = label.trim();
    if let Some(e) = Encoding::for_label(l.as_bytes()) {
        return Some(e);
    }
    let lower = l.to_ascii_lowercase();
    let alt = if lower.chars().all(|c| c.is_ascii_digit()) && lower.len() == 4 {
        format!("windows-{lower}")
    } else if let Some(rest) = lower.strip_prefix("8859-") {
        format!("iso-8859-{rest}")
    } else if lower == "usascii" || lower == "us-ascii" || lower == "none" {
        "windows-1252".to_string()
    } else {
        return None;
    };
    Encoding::for_label(alt.as_bytes())
}

/// Decodes with `forced` if given, else detects: BOM, then valid UTF-8, then UTF-16 without
/// BOM (NUL bytes in alternate positions), then Windows-1250 vs Windows-1252 by which gives
/// the more plausible letters.
pub fn decode<'a>(
    bytes: &'a [u8],
    forced: Option<&'static Encoding>,
) -> Result<Text<'a>, ImportError> {
    let encoding = match forced {
        Some(e) => e,
        None => detect(bytes)?,
    };
    // A BOM overrides (and is stripped); `used` is what actually decoded the bytes.
    let (text, used, _) = encoding.decode(bytes);
    let encoding = used;
    if looks_binary(&text) {
        return Err(ImportError::Binary);
    }
    Ok(Text { text, encoding })
}

fn detect(bytes: &[u8]) -> Result<&'static Encoding, ImportError> {
    if let Some((e, _)) = Encoding::for_bom(bytes) {
        return Ok(e);
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Ok(UTF_8);
    }
    let sample = &bytes[..bytes.len().min(4096)];
    let nul_even = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let nul_odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    let half = sample.len() / 2;
    if half > 0 && nul_odd * 3 > half && nul_even * 10 < half {
        return Ok(UTF_16LE);
    }
    if half > 0 && nul_even * 3 > half && nul_odd * 10 < half {
        return Ok(UTF_16BE);
    }
    if bytes.contains(&0) {
        return Err(ImportError::Binary);
    }
    Ok(legacy(bytes))
}

/// Windows-1250 or Windows-1252: each byte ≥ 0x80 votes for the code page in which it is a
/// letter typical of that code page's languages.
pub fn legacy(bytes: &[u8]) -> &'static Encoding {
    const CENTRAL: &str = "čěřůňťďőűĺŕąęśźłćńČĚŘŮŇŤĎŐŰĹŔĄĘŚŹŁĆŃ";
    const WESTERN: &str = "èìòùñãõåæøïûœÈÌÒÙÑÃÕÅÆØÏÛŒ€";
    let (mut central, mut western) = (0usize, 0usize);
    for &b in bytes.iter().filter(|b| **b >= 0x80) {
        let one = [b];
        let (c, _, bad_c) = WINDOWS_1250.decode(&one);
        let (w, _, bad_w) = WINDOWS_1252.decode(&one);
        if c == w {
            continue;
        }
        if bad_w || w.chars().all(|ch| ch.is_control()) {
            central += 2;
        }
        if bad_c || c.chars().all(|ch| ch.is_control()) {
            western += 2;
        }
        if c.chars().any(|ch| CENTRAL.contains(ch)) {
            central += 1;
        }
        if w.chars().any(|ch| WESTERN.contains(ch)) {
            western += 1;
        }
    }
    if central > western {
        WINDOWS_1250
    } else {
        WINDOWS_1252
    }
}

/// Text with many control characters (other than tab, CR, LF, form feed) is not a bank export.
fn looks_binary(text: &str) -> bool {
    let sample: Vec<char> = text.chars().take(8192).collect();
    if sample.is_empty() {
        return false;
    }
    let control = sample
        .iter()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n' | '\u{c}'))
        .count();
    let replacement = sample.iter().filter(|c| **c == '\u{FFFD}').count();
    control * 20 > sample.len() || replacement * 10 > sample.len()
}
