//! Which format a file is in, by its content first; the file name is only a tie-breaker.

use super::Format;

pub enum Sniffed {
    /// A zip (xlsx, ods) or OLE compound (xls) container.
    Spreadsheet,
    /// Anything else is read as text.
    Text,
}

pub fn sniff(bytes: &[u8], _filename: Option<&str>) -> Sniffed {
    const ZIP: &[u8] = b"PK\x03\x04";
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.starts_with(ZIP) || bytes.starts_with(OLE) {
        Sniffed::Spreadsheet
    } else {
        Sniffed::Text
    }
}

/// OFX: an `OFXHEADER` SGML header, an `<?OFX` processing instruction or an `<OFX>` element near
/// the start. QIF: a `!Type:`/`!Account`/`!Option`/`!Clear` line, or (with a `.qif` name)
/// `^`-terminated records. Everything else is delimited text.
pub fn text_format(text: &str, filename: Option<&str>) -> Format {
    let head: String = text
        .chars()
        .take(4096)
        .collect::<String>()
        .to_ascii_uppercase();
    let trimmed = head.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if super::camt::looks_like(&head) {
        return Format::Camt;
    }
    if trimmed.starts_with("OFXHEADER") || head.contains("<?OFX") || head.contains("<OFX>") {
        return Format::Ofx;
    }
    if super::mt940::looks_like(text) {
        return Format::Mt940;
    }
    let first_lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .take(20)
        .collect();
    let qif_header = |l: &&str| {
        let u = l.to_ascii_uppercase();
        u.starts_with("!TYPE")
            || u.starts_with("!ACCOUNT")
            || u.starts_with("!OPTION")
            || u.starts_with("!CLEAR")
    };
    if first_lines.iter().any(qif_header) {
        return Format::Qif;
    }
    let named_qif = filename.is_some_and(|f| f.to_ascii_lowercase().ends_with(".qif"));
    if named_qif && first_lines.contains(&"^") {
        return Format::Qif;
    }
    Format::Delimited
}
