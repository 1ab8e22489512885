//! Synthetic households to measure the forecasts and the recurring detection on: three years
//! of one current account each, with a salary that gets raises, rent, subscriptions with price
//! rises, utilities that follow the seasons, an insurance paid yearly or quarterly, a weekly
//! cleaner for some, groceries and dining with a trend and a December peak, irregular big
//! purchases and summer travel. Every recurring series is labelled with its true cadence and
//! its true next payment after the last day generated.

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::analytics::period::{last_of_month, shift_months};
use crate::forecast::recurring::{Cadence, Line};
use crate::ml::text;

/// Categories of the generated ledgers: id, name, kind, and the group metrics are reported by.
pub const CATEGORIES: &[(i64, &str, &str, &str)] = &[
    (1, "Groceries", "expense", "everyday"),
    (2, "Dining", "expense", "everyday"),
    (3, "Rent & Mortgage", "expense", "fixed bills"),
    (4, "Utilities", "expense", "seasonal bills"),
    (5, "Subscriptions", "expense", "fixed bills"),
    (6, "Insurance", "expense", "fixed bills"),
    (7, "Shopping", "expense", "irregular"),
    (8, "Travel", "expense", "irregular"),
    (9, "Personal Care", "expense", "everyday"),
    (10, "Salary", "income", "income"),
];

/// A recurring series the generator made, as detection should find it.
#[derive(Clone, Debug)]
pub struct Truth {
    /// The series key detection would give it (`recurring::detect`).
    pub key: String,
    pub cadence: Cadence,
    /// The first payment after the generated period.
    pub next_date: NaiveDate,
}

pub struct Household {
    pub lines: Vec<Line>,
    pub truths: Vec<Truth>,
    /// The last day generated.
    pub end: NaiveDate,
    /// The payments the generator itself made far out, by line id: the irregular big purchases
    /// (5–12 times the usual shopping amount), and everyday or shopping payments whose random
    /// draw landed at least `TAIL_SIGMAS` standard deviations above their usual level (in log
    /// space, the December peak and the trend being part of the usual level). True anomalies by
    /// the detector's own definition (far outside this household's history), though not
    /// injected: decided from the generator's draw, never from a detector's estimate.
    pub outliers: Vec<i64>,
}

/// How many months each household covers.
pub const MONTHS: i32 = 36;
/// A draw this many standard deviations above its mean is an outlier (one payment in 740):
/// the conventional three-sigma line, the same for every category.
pub const TAIL_SIGMAS: f64 = 3.0;

fn normal(rng: &mut StdRng) -> f64 {
    // Box–Muller.
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

fn cents(major: f64) -> i64 {
    (major * 100.0).round() as i64
}

struct Builder {
    lines: Vec<Line>,
    truths: Vec<Truth>,
    start: NaiveDate,
    end: NaiveDate,
}

impl Builder {
    fn push(&mut self, date: NaiveDate, amount: i64, description: String, category: i64) {
        if date < self.start || date > self.end || amount == 0 {
            return;
        }
        self.lines.push(Line {
            id: self.lines.len() as i64 + 1,
            account_id: 1,
            date,
            amount,
            currency: "USD".into(),
            description,
            merchant: None,
            category_id: Some(category),
        });
    }

    /// A recurring series from `first` by `cadence` on `day` of the month, `amount(date)` each time, with
    /// a reference number that changes per payment; `until` ends it early (a cancelled gym).
    fn series(
        &mut self,
        merchant: &str,
        (cadence, first, day): (Cadence, NaiveDate, u32),
        category: i64,
        until: Option<NaiveDate>,
        mut amount: impl FnMut(NaiveDate) -> i64,
    ) {
        let mut date = first;
        let mut n = 0;
        while date <= self.end && until.is_none_or(|u| date <= u) {
            let a = amount(date);
            self.push(
                date,
                a,
                format!("{merchant} REF {:06}", 100_000 + n * 37),
                category,
            );
            date = cadence.next(date, day);
            n += 1;
        }
        if date > self.end && date >= self.start {
            let direction = if amount(date) < 0 { "out" } else { "in" };
            self.truths.push(Truth {
                key: format!("{direction}|USD|{}", text::merchant_key(merchant)),
                cadence,
                next_date: date,
            });
        }
    }
}

const SUBSCRIPTIONS: &[(&str, f64)] = &[
    ("NETFLIX.COM", 15.49),
    ("SPOTIFY USA", 10.99),
    ("DISNEY PLUS", 7.99),
    ("ICLOUD STORAGE", 2.99),
    ("NYTIMES DIGITAL", 17.0),
    ("PELOTON APP", 12.99),
];
const GROCERS: &[&str] = &[
    "KROGER",
    "SAFEWAY",
    "ALDI",
    "TRADER JOES",
    "WHOLE FOODS",
    "COSTCO",
];
const RESTAURANTS: &[&str] = &[
    "CHIPOTLE",
    "STARBUCKS",
    "PANERA BREAD",
    "SUBWAY",
    "DOORDASH",
    "SHAKE SHACK",
    "SWEETGREEN",
];
const SHOPS: &[&str] = &[
    "AMAZON MKTP",
    "TARGET",
    "BEST BUY",
    "IKEA",
    "HOME DEPOT",
    "ZARA",
];

/// One household; `end` is the last day generated.
pub fn household(seed: u64, end: NaiveDate) -> Household {
    let mut rng = StdRng::seed_from_u64(seed);
    let start = shift_months(end, -(MONTHS - 1));
    let mut b = Builder {
        lines: Vec::new(),
        truths: Vec::new(),
        start,
        end,
    };
    let scale: f64 = rng.gen_range(0.6..1.8);

    // Salary: monthly or every two weeks, a raise each year.
    let salary = cents(rng.gen_range(3000.0..7000.0) * scale);
    let raise: f64 = rng.gen_range(0.02..0.06);
    let year0 = start.year();
    let pay =
        move |d: NaiveDate| (salary as f64 * (1.0 + raise).powi(d.year() - year0)).round() as i64;
    if rng.gen_bool(0.7) {
        let day = rng.gen_range(25..=28);
        let first = start.with_day(day).expect("days up to 28 exist");
        b.series(
            "ACME CORP PAYROLL",
            (Cadence::Monthly, first, day),
            10,
            None,
            pay,
        );
    } else {
        let first = start + Duration::days(rng.gen_range(0..14));
        b.series(
            "GLOBEX PAYROLL",
            (Cadence::Biweekly, first, 1),
            10,
            None,
            move |d| pay(d) * 12 / 26,
        );
    }

    // Rent: fixed, one rise a year in a random month.
    let rent = cents(rng.gen_range(900.0..2200.0) * scale);
    let rent_month = rng.gen_range(1..=12);
    b.series(
        "OAKWOOD PROPERTIES",
        (Cadence::Monthly, start, 1),
        3,
        None,
        move |d| {
            let years = d.year() - year0 - i32::from(d.month() < rent_month);
            -((rent as f64 * 1.03f64.powi(years.max(0))).round() as i64)
        },
    );

    // Subscriptions, some with a price rise, some cancelled.
    let mut subs = SUBSCRIPTIONS.to_vec();
    subs.shuffle(&mut rng);
    for (name, price) in subs.into_iter().take(rng.gen_range(1..=4)) {
        let day = rng.gen_range(1..=28);
        let rise_at = shift_months(start, rng.gen_range(6..MONTHS + 12));
        let until = rng
            .gen_bool(0.15)
            .then(|| shift_months(start, rng.gen_range(12..MONTHS - 3)));
        let first = shift_months(start, rng.gen_range(0..6))
            .with_day(day)
            .expect("days up to 28 exist");
        b.series(name, (Cadence::Monthly, first, day), 5, until, move |d| {
            -cents(if d >= rise_at { price + 2.0 } else { price })
        });
    }

    // Utilities: monthly, high in winter, noisy.
    let power = rng.gen_range(60.0..140.0) * scale.sqrt();
    let power_day = rng.gen_range(5..=25);
    let mut noise_rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    b.series(
        "CITY POWER GAS",
        (
            Cadence::Monthly,
            start.with_day(power_day).expect("≤ 28"),
            power_day,
        ),
        4,
        None,
        move |d| {
            let winter = match d.month() {
                12 | 1 | 2 => 1.8,
                3 | 11 => 1.3,
                6..=8 => 1.1,
                _ => 0.9,
            };
            -cents(power * winter * (1.0 + 0.08 * normal(&mut noise_rng)))
        },
    );

    // Insurance: yearly or quarterly.
    let premium = rng.gen_range(200.0..900.0);
    let ins_first = shift_months(start, rng.gen_range(0..3))
        .with_day(15)
        .expect("15th");
    if rng.gen_bool(0.5) {
        b.series(
            "STATE FARM INSURANCE",
            (Cadence::Yearly, ins_first, 15),
            6,
            None,
            move |_| -cents(premium),
        );
    } else {
        b.series(
            "STATE FARM INSURANCE",
            (Cadence::Quarterly, ins_first, 15),
            6,
            None,
            move |_| -cents(premium / 4.0),
        );
    }

    // A weekly cleaner for some.
    if rng.gen_bool(0.3) {
        let fee = rng.gen_range(40.0..90.0);
        let first = start + Duration::days(rng.gen_range(0..7));
        b.series(
            "MARIA CLEANING",
            (Cadence::Weekly, first, 1),
            9,
            None,
            move |_| -cents(fee),
        );
    }

    // Everyday spending: a trend, a December peak, many merchants.
    let trend: f64 = rng.gen_range(-0.003..0.008);
    let grocery = rng.gen_range(35.0..80.0) * scale;
    let dining = rng.gen_range(12.0..35.0) * scale;
    let mut outliers = Vec::new();
    let mut month = start;
    let mut m = 0;
    while month <= end {
        let growth = (1.0 + trend).powi(m);
        let december = if month.month() == 12 { 1.35 } else { 1.0 };
        let days = last_of_month(month).day();
        // Groceries and dining: many visits at lognormal amounts, merchants drawn each time.
        let everyday: [(u32, f64, f64, &[&str], i64); 2] = [
            (6, grocery, 0.45, GROCERS, 1),
            (3, dining, 0.6, RESTAURANTS, 2),
        ];
        for (least, typical, sigma, merchants, category) in everyday {
            for _ in 0..rng.gen_range(least..=12) {
                let d = month + Duration::days(rng.gen_range(0..days) as i64);
                let deviate = normal(&mut rng);
                let amount = typical * growth * december * (sigma * deviate).exp();
                let merchant = merchants.choose(&mut rng).expect("merchants");
                let description = format!("POS {} {merchant}", rng.gen_range(1000..9999));
                let before = b.lines.len();
                b.push(d, -cents(amount), description, category);
                if deviate >= TAIL_SIGMAS && b.lines.len() > before {
                    outliers.push(b.lines.len() as i64);
                }
            }
        }
        // Shopping: small most months, a big purchase now and then.
        for _ in 0..rng.gen_range(0..=3) {
            let d = month + Duration::days(rng.gen_range(0..days) as i64);
            let big = if rng.gen_bool(0.05) {
                rng.gen_range(5.0..12.0)
            } else {
                1.0
            };
            let deviate = normal(&mut rng);
            let amount = 60.0 * scale * big * (0.7 * deviate).exp();
            let shop = SHOPS.choose(&mut rng).expect("shops");
            let before = b.lines.len();
            b.push(
                d,
                -cents(amount),
                format!("{shop} {}", rng.gen_range(100..999)),
                7,
            );
            if (big > 1.0 || deviate >= TAIL_SIGMAS) && b.lines.len() > before {
                outliers.push(b.lines.len() as i64);
            }
        }
        // Travel: mostly in summer and at year end.
        let travel_chance = match month.month() {
            6..=8 => 0.5,
            12 => 0.3,
            _ => 0.06,
        };
        if rng.gen_bool(travel_chance) {
            let d = month + Duration::days(rng.gen_range(0..days) as i64);
            let amount = rng.gen_range(300.0..1500.0) * scale;
            b.push(d, -cents(amount), "UNITED AIRLINES".into(), 8);
        }
        month = shift_months(month, 1);
        m += 1;
    }
    Household {
        lines: b.lines,
        truths: b.truths,
        end,
        outliers,
    }
}
