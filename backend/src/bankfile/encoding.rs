//! Bytes → text: BOMs, UTF-8, UTF-16, and the legacy code pages bank exports still use
//! (Windows-1252 — a superset of Latin-1 for printable text —, Windows-1250 for Central Europe,
//! Windows-1251 for Cyrillic, Windows-1257 for the Baltics…).

use super::ImportError;
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

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
/// BOM (NUL bytes in alternate positions), then the legacy code page that gives the more
/// plausible text ([`legacy`]).
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

/// The legacy code page of text that is neither UTF-8 nor UTF-16, by chardetng (Firefox's
/// detector, by encoding_rs's author): it weighs letter pairs of each code page's languages, so
/// Cyrillic (Windows-1251, KOI8-R), Baltic (Windows-1257), Greek and Central European exports
/// are told from Western ones, which a vote of single bytes cannot do.
pub fn legacy(bytes: &[u8]) -> &'static Encoding {
    use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, Utf8Detection::Deny)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Short exports with a handful of letters outside ASCII, each in its code page, read back
    /// as written.
    #[test]
    fn the_code_page_of_a_short_export_is_told_by_its_letters() {
        for (label, text) in [
            ("windows-1252", "Buchungstag;Empfänger;Verwendungszweck;Betrag\n01.02.2024;Müller GmbH;Überweisung Gebühr;-12,50\n"),
            ("windows-1252", "Date;Libellé;Montant\n01/02/2024;Prélèvement Crédit Agricole échéance;-12,50\n"),
            ("windows-1252", "Fecha;Concepto;Importe\n01/02/2024;Recibo Señor Muñoz, Compañía;-12,50\n"),
            ("windows-1250", "Datum;Protistrana;Částka\n01.02.2024;Platba kartou Česká spořitelna;-12,50\n"),
            ("windows-1250", "Data;Opis;Kwota\n01.02.2024;Przelew Łódź, opłata za użytkowanie;-12,50\n"),
            ("windows-1250", "Dátum;Közlemény;Összeg\n2024.02.01;Átutalás Győr, díj;-12,50\n"),
            ("windows-1251", "Дата;Описание;Сумма\n01.02.2024;Оплата в магазине Пятёрочка;-12,50\n"),
            ("windows-1257", "Data;Aprašymas;Suma\n2024-02-01;Mokėjimas už paslaugas, Vilnius;-12,50\n"),
        ] {
            let page = Encoding::for_label(label.as_bytes()).unwrap();
            let (bytes, _, unmappable) = page.encode(text);
            assert!(!unmappable, "{label}: {text}");
            let read = decode(&bytes, None).unwrap();
            assert_eq!(read.text, text, "read as {}", read.encoding.name());
        }
    }
}
