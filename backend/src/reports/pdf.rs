//! The PDF report, laid out with genpdf: a title line (who, which period, when made), the summary,
//! two charts drawn as vector shapes, a table per section of `tables`, and optionally every
//! transaction as an appendix; page numbers on every page.
//!
//! Lato is embedded from `backend/assets/fonts` (SIL OFL, licence beside it), so €, ₹, ł and the
//! rest of Latin, Greek and Cyrillic print. Not DejaVu Sans: it has glyphs beyond the Basic
//! Multilingual Plane, which printpdf 0.3 (under genpdf) writes into the text's ToUnicode map as
//! five-digit codes that PDF readers reject, so the text could not be searched or copied.
//!
//! genpdf draws lines but no filled shapes, so chart bars are filled with lines laid closer than
//! their own width.
//!
//! printpdf 0.3 writes the embedded font files uncompressed (1.3 MB of every PDF); the rendered
//! file goes once more through the lopdf that printpdf itself writes with, which compresses every
//! stream and takes 0.7 MB off. Not a newer lopdf: this one is built already.

use genpdf::elements::{Break, FrameCellDecorator, Paragraph, StyledElement, TableLayout};
use genpdf::fonts::{FontData, FontFamily};
use genpdf::style::{Color, Style};
use genpdf::{render, Alignment, Context, Element, Mm, Position, RenderResult, Size};

use super::tables::{self, Cell, Table, TRANSACTION_HEADERS};
use super::{accounts_line, Contents, Progress};
use crate::error::ApiError;
use crate::money::format_minor;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/Lato-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/Lato-Bold.ttf");

const INCOME: Color = Color::Rgb(46, 125, 50);
const SPENDING: Color = Color::Rgb(198, 40, 40);
/// Bars are filled with lines this far apart (PDF's default line is 0.35 mm wide).
const FILL_STEP: f64 = 0.25;

fn failed(e: genpdf::error::Error) -> ApiError {
    ApiError::Internal(format!("writing the PDF: {e}"))
}

fn fonts() -> Result<FontFamily<FontData>, ApiError> {
    let font = |bytes: &[u8], builtin| FontData::new(bytes.to_vec(), builtin).map_err(failed);
    // genpdf wants four faces and embeds each it is given; italics are never used, so they are
    // PDF built-ins that embed nothing.
    let unused = Some(printpdf::BuiltinFont::HelveticaOblique);
    Ok(FontFamily {
        regular: font(REGULAR, None)?,
        bold: font(BOLD, None)?,
        italic: font(REGULAR, unused)?,
        bold_italic: font(BOLD, unused)?,
    })
}

/// A cell as printed: money as a decimal with its currency.
fn shown(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.to_string(),
        Cell::Money(amount, currency) => format!("{} {currency}", format_minor(*amount, currency)),
        Cell::Percent(Some(p)) => format!("{p:.2}"),
        Cell::Percent(None) => String::new(),
        Cell::Date(d) => d.to_string(),
        Cell::Count(n) => n.to_string(),
        Cell::Blank => String::new(),
    }
}

/// Numbers right, text left; a header as its column.
fn alignment(cell: &Cell) -> Alignment {
    match cell {
        Cell::Text(_) | Cell::Date(_) => Alignment::Left,
        _ => Alignment::Right,
    }
}

fn table_layout<'a>(
    headers: &[&str],
    weights: Vec<usize>,
    rows: impl Iterator<Item = Vec<Cell<'a>>>,
) -> Result<TableLayout, ApiError> {
    let mut layout = TableLayout::new(weights);
    layout.set_cell_decorator(FrameCellDecorator::new(false, false, false));
    let mut rows = rows.peekable();
    let columns: Vec<Alignment> = match rows.peek() {
        Some(first) => first.iter().map(alignment).collect(),
        None => vec![Alignment::Left; headers.len()],
    };
    let bold = Style::new().bold();
    let mut head = layout.row();
    for (h, alignment) in headers.iter().zip(&columns) {
        head.push_element(
            Paragraph::new(genpdf::style::StyledString::new(*h, bold)).aligned(*alignment),
        );
    }
    head.push().map_err(failed)?;
    for cells in rows {
        let mut row = layout.row();
        for cell in &cells {
            row.push_element(Paragraph::new(shown(cell)).aligned(alignment(cell)));
        }
        row.push().map_err(failed)?;
    }
    Ok(layout)
}

fn heading(doc: &mut genpdf::Document, text: &str) {
    doc.push(Break::new(1.0));
    doc.push(Paragraph::new(genpdf::style::StyledString::new(
        text.to_owned(),
        Style::new().bold().with_font_size(13),
    )));
    doc.push(Break::new(0.3));
}

/// Characters from which a text column gets the room of three.
const LONG_TEXT: usize = 30;

fn push_table(doc: &mut genpdf::Document, table: &Table) -> Result<(), ApiError> {
    heading(doc, table.title);
    if let Some(note) = &table.note {
        doc.push(Paragraph::new(note.as_str()));
        doc.push(Break::new(0.3));
    }
    let weights = (0..table.headers.len())
        .map(|col| {
            let long = table.rows.iter().any(|row| match &row[col] {
                Cell::Text(s) => s.chars().count() > LONG_TEXT,
                _ => false,
            });
            match (long, col) {
                (true, _) => 6,
                (false, 0) => 3,
                (false, _) => 2,
            }
        })
        .collect();
    doc.push(table_layout(
        &table.headers,
        weights,
        table.rows.iter().cloned(),
    )?);
    Ok(())
}

/// Fills a rectangle (mm from the area's top left) with lines.
fn fill(area: &render::Area<'_>, x: f64, y: f64, width: f64, height: f64, color: Color) {
    let style = Style::new().with_color(color);
    let mut offset = 0.0;
    while offset <= height {
        area.draw_line(
            vec![
                Position::new(Mm::from(x), Mm::from(y + offset)),
                Position::new(Mm::from(x + width), Mm::from(y + offset)),
            ],
            style,
        );
        offset += FILL_STEP;
    }
}

/// Horizontal bars, one per label, scaled to the largest value.
struct Bars {
    rows: Vec<(String, i64, String)>,
}

/// Income and spending side by side per month, scaled to the largest value.
struct Columns {
    months: Vec<(String, i64, i64)>,
}

const BAR_ROW: f64 = 6.0;
const COLUMN_HEIGHT: f64 = 55.0;

/// Charts are drawn whole on one page: one that does not fit draws nothing here and goes to
/// the next (`next_page`).
fn next_page() -> RenderResult {
    RenderResult {
        size: Size::new(0, 0),
        has_more: true,
    }
}

fn fits(area: &render::Area<'_>, height: f64) -> bool {
    area.size().height >= Mm::from(height)
}

impl Element for Bars {
    fn render(
        &mut self,
        context: &Context,
        area: render::Area<'_>,
        style: Style,
    ) -> Result<RenderResult, genpdf::error::Error> {
        let height = BAR_ROW * self.rows.len() as f64 + 2.0;
        if !fits(&area, height) {
            return Ok(next_page());
        }
        let width: f64 = area.size().width.into();
        let label_width = 45.0;
        let bar_space = (width - label_width - 40.0).max(10.0);
        let largest = self.rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
        let small = style.with_font_size(8);
        for (i, (label, value, shown)) in self.rows.iter().enumerate() {
            let y = BAR_ROW * i as f64;
            let name: String = label.chars().take(28).collect();
            area.print_str(&context.font_cache, Position::new(0, y), small, name)?;
            let length = bar_space * (*value as f64 / largest as f64);
            fill(&area, label_width, y + 0.8, length, 3.2, SPENDING);
            area.print_str(
                &context.font_cache,
                Position::new(Mm::from(label_width + length + 2.0), Mm::from(y)),
                small,
                shown,
            )?;
        }
        Ok(RenderResult {
            size: Size::new(width, height),
            has_more: false,
        })
    }
}

impl Element for Columns {
    fn render(
        &mut self,
        context: &Context,
        area: render::Area<'_>,
        style: Style,
    ) -> Result<RenderResult, genpdf::error::Error> {
        let height = COLUMN_HEIGHT + 14.0;
        if !fits(&area, height) {
            return Ok(next_page());
        }
        let width: f64 = area.size().width.into();
        let slot = width / self.months.len().max(1) as f64;
        let bar = (slot / 3.0).min(6.0);
        let largest = self
            .months
            .iter()
            .map(|m| m.1.max(m.2))
            .max()
            .unwrap_or(0)
            .max(1);
        let small = style.with_font_size(7);
        for (i, (label, income, spending)) in self.months.iter().enumerate() {
            let x = slot * i as f64 + (slot - 2.0 * bar) / 2.0;
            for (j, (value, color)) in [(income, INCOME), (spending, SPENDING)].iter().enumerate() {
                let h = COLUMN_HEIGHT * (**value).max(0) as f64 / largest as f64;
                let left = x + bar * j as f64;
                // Columns are filled with vertical lines, from the base line up.
                let mut offset = 0.0;
                while offset <= bar - FILL_STEP {
                    area.draw_line(
                        vec![
                            Position::new(Mm::from(left + offset), Mm::from(COLUMN_HEIGHT)),
                            Position::new(Mm::from(left + offset), Mm::from(COLUMN_HEIGHT - h)),
                        ],
                        Style::new().with_color(*color),
                    );
                    offset += FILL_STEP;
                }
            }
            area.print_str(
                &context.font_cache,
                Position::new(Mm::from(x), Mm::from(COLUMN_HEIGHT + 1.0)),
                small,
                label,
            )?;
        }
        area.draw_line(
            vec![
                Position::new(0, Mm::from(COLUMN_HEIGHT)),
                Position::new(Mm::from(width), Mm::from(COLUMN_HEIGHT)),
            ],
            Style::new(),
        );
        fill(&area, 0.0, COLUMN_HEIGHT + 7.5, 3.0, 2.5, INCOME);
        area.print_str(
            &context.font_cache,
            Position::new(4, Mm::from(COLUMN_HEIGHT + 6.5)),
            small,
            "Income",
        )?;
        fill(&area, 25.0, COLUMN_HEIGHT + 7.5, 3.0, 2.5, SPENDING);
        area.print_str(
            &context.font_cache,
            Position::new(29, Mm::from(COLUMN_HEIGHT + 6.5)),
            small,
            "Spending",
        )?;
        Ok(RenderResult {
            size: Size::new(width, height),
            has_more: false,
        })
    }
}

pub fn write(contents: &Contents, progress: Progress) -> Result<Vec<u8>, ApiError> {
    let d = &contents.summary.dashboard;
    let mut doc = genpdf::Document::new(fonts()?);
    doc.set_title(format!("Dhana report {}", d.period.label));
    doc.set_font_size(9);
    let mut decorator = genpdf::SimplePageDecorator::new();
    decorator.set_margins(12);
    let label = d.period.label.clone();
    decorator.set_header(move |page| {
        Paragraph::new(genpdf::style::StyledString::new(
            format!("Dhana · {label} · page {page}"),
            Style::new().with_font_size(7),
        ))
        .aligned(Alignment::Right)
    });
    doc.set_page_decorator(decorator);

    doc.push(Paragraph::new(genpdf::style::StyledString::new(
        format!(
            "{} — {} ({} to {})",
            contents.user.display_name, d.period.label, d.period.from, d.period.to
        ),
        Style::new().bold().with_font_size(16),
    )));
    doc.push(Paragraph::new(format!(
        "Made {} UTC · accounts: {} · amounts in {} · compared with {}",
        contents.generated_at.format("%Y-%m-%d %H:%M"),
        accounts_line(contents),
        d.currency,
        d.previous_period.label
    )));
    push_table(&mut doc, &tables::summary(contents))?;

    let spending = tables::spending_by_category(contents);
    if !spending.rows.is_empty() {
        heading(&mut doc, "Spending by category");
        doc.push(Bars {
            rows: d
                .spending_by_category
                .iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        s.amount,
                        format!("{} {}", format_minor(s.amount, &d.currency), d.currency),
                    )
                })
                .collect(),
        });
    }
    heading(&mut doc, "Income and spending by month");
    let series = |label: &str| {
        d.monthly
            .datasets
            .iter()
            .find(|s| s.label == label)
            .map(|s| s.data.clone())
            .unwrap_or_default()
    };
    let (income, spent) = (series("income"), series("spending"));
    doc.push(Columns {
        months: d
            .monthly
            .labels
            .iter()
            .enumerate()
            .map(|(i, m)| {
                (
                    m.clone(),
                    income.get(i).copied().unwrap_or(0),
                    spent.get(i).copied().unwrap_or(0),
                )
            })
            .collect(),
    });
    for table in tables::sections(contents) {
        push_table(&mut doc, &table)?;
    }
    if !d.other_currencies.is_empty() {
        heading(&mut doc, "Other currencies (not added in)");
        for other in &d.other_currencies {
            doc.push(Paragraph::new(format!(
                "{}: income {}, spending {} ({} transactions)",
                other.currency,
                format_minor(other.income, &other.currency),
                format_minor(other.spending, &other.currency),
                other.count
            )));
        }
    }
    if !contents.transactions.is_empty() {
        heading(&mut doc, "Transactions");
        let rows = (0..contents.transactions.len()).map(|i| {
            // The currency is in the amount cell already.
            let mut row = tables::transaction_row(contents, i);
            row.remove(6);
            row
        });
        let headers: Vec<&str> = TRANSACTION_HEADERS
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 6)
            .map(|(_, h)| *h)
            .collect();
        // Smaller type, so that a date or an amount never needs a second line.
        doc.push(StyledElement::new(
            table_layout(&headers, vec![3, 4, 6, 4, 4, 4, 4], rows)?,
            Style::new().with_font_size(7),
        ));
    }
    progress(60);
    let mut rendered = Vec::new();
    doc.render(&mut rendered).map_err(failed)?;
    compressed(&rendered)
}

fn compressed(pdf: &[u8]) -> Result<Vec<u8>, ApiError> {
    let failed = |e: String| ApiError::Internal(format!("compressing the PDF: {e}"));
    let mut doc = printed_pdf::Document::load_mem(pdf).map_err(|e| failed(e.to_string()))?;
    doc.compress();
    let mut out = Vec::with_capacity(pdf.len() / 2);
    doc.save_to(&mut out).map_err(|e| failed(e.to_string()))?;
    Ok(out)
}
