//! The features the learned forecaster sees for one monthly series at one origin. Training
//! (`train`, over the synthetic population) and serving (`monthly`, over a user's own monthly
//! sums) both call `features`, so the two cannot compute them differently.
//!
//! Every amount is divided by the series' level (the mean of its last 12 months at most), so
//! one model serves a 20-dollar subscription and a 2,000-dollar rent alike; the prediction is
//! that ratio times the level.

use crate::forecast::monthly::{is_lumpy, median};

/// Feature names, in the order of `Example::x` (and of the artifact's coefficients).
pub const NAMES: [&str; 15] = [
    "lag1",
    "lag2",
    "lag3",
    "lag12",
    "has_lag12",
    "mean3",
    "median6",
    "std6",
    "known",
    "horizon2",
    "december",
    "month_sin",
    "month_cos",
    "lumpy",
    "zero_share",
];

/// Months of history below which no features are given (the baselines' own minimum).
pub const MIN_MONTHS: usize = 5;
const LEVEL_MONTHS: usize = 12;

#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    /// What the ratios are relative to, minor units (> 0).
    pub level: f64,
    pub x: [f64; NAMES.len()],
}

/// The features for the month `horizon` (1 or 2) months after `history` (complete months,
/// oldest first), whose calendar month is `month` (1–12) and in which `known` (minor units)
/// is already expected from recurring bills. `None` for short histories and for series whose
/// level is not positive (nothing spent, or refunds outweighing spending).
pub fn features(history: &[i64], horizon: usize, month: u32, known: i64) -> Option<Example> {
    let n = history.len();
    if n < MIN_MONTHS || !(1..=2).contains(&horizon) || !(1..=12).contains(&month) {
        return None;
    }
    let recent = &history[n.saturating_sub(LEVEL_MONTHS)..];
    let level = recent.iter().map(|v| *v as f64).sum::<f64>() / recent.len() as f64;
    if level <= 0.0 {
        return None;
    }
    let ratio = |v: i64| v as f64 / level;
    let last6 = &history[n.saturating_sub(6)..];
    let mean6 = last6.iter().map(|v| *v as f64).sum::<f64>() / last6.len() as f64;
    let std6 = (last6
        .iter()
        .map(|v| (*v as f64 - mean6).powi(2))
        .sum::<f64>()
        / last6.len() as f64)
        .sqrt();
    // The same calendar month a year before the target.
    let lag12 = (n + horizon).checked_sub(13).map(|i| history[i]);
    let angle = 2.0 * std::f64::consts::PI * f64::from(month) / 12.0;
    Some(Example {
        level,
        x: [
            ratio(history[n - 1]),
            ratio(history[n - 2]),
            ratio(history[n - 3]),
            lag12.map_or(0.0, ratio),
            f64::from(u8::from(lag12.is_some())),
            history[n - 3..].iter().map(|v| ratio(*v)).sum::<f64>() / 3.0,
            ratio(median(last6)),
            std6 / level,
            ratio(known),
            f64::from(u8::from(horizon == 2)),
            f64::from(u8::from(month == 12)),
            angle.sin(),
            angle.cos(),
            f64::from(u8::from(is_lumpy(history))),
            recent.iter().filter(|v| **v == 0).count() as f64 / recent.len() as f64,
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_of_a_known_series() {
        // 13 months: level = mean of the last 12 = (200 × 11 + 400) / 12 = 216.67.
        let mut h = [
            100, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 400,
        ];
        let e = features(&h, 1, 12, 50).unwrap();
        let level = 2600.0 / 12.0;
        assert_eq!(e.level, level);
        assert_eq!(e.x[0], 400.0 / level);
        assert_eq!(e.x[1], 200.0 / level);
        // Target is month 14; a year before it is month 2 (index 1) = 200.
        assert_eq!((e.x[3], e.x[4]), (200.0 / level, 1.0));
        assert_eq!(e.x[5], 800.0 / 3.0 / level);
        // Last six: 200 ×5, 400 → median 200, mean 233.33, std = sqrt((5 × 33.33² + 166.67²)/6).
        assert_eq!(e.x[6], 200.0 / level);
        let std: f64 = ((5.0 * (100.0f64 / 3.0).powi(2) + (500.0f64 / 3.0).powi(2)) / 6.0).sqrt();
        assert!((e.x[7] - std / level).abs() < 1e-12);
        assert_eq!(e.x[8], 50.0 / level);
        assert_eq!((e.x[9], e.x[10]), (0.0, 1.0));
        assert!((e.x[11] - 0.0).abs() < 1e-12 && (e.x[12] - 1.0).abs() < 1e-12);
        // Two months ahead of the first 11 months is month 13: a year before it is month 1.
        let e = features(&h[..11], 2, 1, 0).unwrap();
        assert_eq!((e.x[3], e.x[4], e.x[9]), (100.0 / e.level, 1.0, 1.0));
        // One month ahead of 11 months is month 12: no month a year before it.
        assert_eq!(features(&h[..11], 1, 1, 0).unwrap().x[4], 0.0);
        assert_eq!(features(&h[..4], 1, 1, 0), None);
        h.iter_mut().for_each(|v| *v = 0);
        assert_eq!(features(&h, 1, 1, 0), None, "no level, no ratios");
    }
}
