//! Weekly and monthly email summaries: the user's choices (here), what an email says
//! (`content`), when one is due and who sends it (`schedule`), the one-click unsubscribe link
//! (`unsubscribe`), and SMTP with the background task (`send`).

pub mod content;
pub mod schedule;
pub mod send;
pub mod unsubscribe;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::summary_settings;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::users::now;
use crate::with_conn;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SummaryKind)]
pub enum Kind {
    Weekly,
    Monthly,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Weekly => "weekly",
            Kind::Monthly => "monthly",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "weekly" => Some(Kind::Weekly),
            "monthly" => Some(Kind::Monthly),
            _ => None,
        }
    }
}

/// One kind of summary: on or off, the day it goes out, and since when it is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    pub enabled: bool,
    /// ISO weekday (1 = Monday) for weekly, day of month (1–31) for monthly.
    pub day: u32,
    /// The day it was turned on; `None` while off.
    pub since: Option<NaiveDate>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub weekly: Choice,
    pub monthly: Choice,
}

impl Default for Settings {
    /// Both off; Mondays and the first of the month once turned on.
    fn default() -> Self {
        let off = Choice {
            enabled: false,
            day: 1,
            since: None,
        };
        Settings {
            weekly: off,
            monthly: off,
        }
    }
}

impl Settings {
    pub fn of(&self, kind: Kind) -> Choice {
        match kind {
            Kind::Weekly => self.weekly,
            Kind::Monthly => self.monthly,
        }
    }
}

type Row = (
    i64,
    bool,
    i32,
    Option<NaiveDate>,
    bool,
    i32,
    Option<NaiveDate>,
);

fn from_row(
    (_, weekly, weekly_day, weekly_since, monthly, monthly_day, monthly_since): Row,
) -> Settings {
    // The columns are CHECKed to 1–7 and 1–31.
    let day = |d: i32| u32::try_from(d).unwrap_or(1);
    Settings {
        weekly: Choice {
            enabled: weekly,
            day: day(weekly_day),
            since: weekly_since,
        },
        monthly: Choice {
            enabled: monthly,
            day: day(monthly_day),
            since: monthly_since,
        },
    }
}

macro_rules! settings_columns {
    () => {
        (
            summary_settings::user_id,
            summary_settings::weekly,
            summary_settings::weekly_day,
            summary_settings::weekly_since,
            summary_settings::monthly,
            summary_settings::monthly_day,
            summary_settings::monthly_since,
        )
    };
}

/// The user's settings; both off when never set.
pub fn get(conn: &mut DbConn, user_id: i64) -> Result<Settings, ApiError> {
    let row: Option<Row> = with_conn!(conn, c => summary_settings::table
        .find(user_id)
        .select(settings_columns!())
        .first(c)
        .optional())?;
    Ok(row.map(from_row).unwrap_or_default())
}

/// Every user with at least one summary turned on.
pub fn subscribed(conn: &mut DbConn) -> Result<Vec<(i64, Settings)>, ApiError> {
    let rows: Vec<Row> = with_conn!(conn, c => summary_settings::table
        .filter(summary_settings::weekly.or(summary_settings::monthly))
        .order(summary_settings::user_id)
        .select(settings_columns!())
        .load(c))?;
    Ok(rows.into_iter().map(|r| (r.0, from_row(r))).collect())
}

/// What a user asks for: on or off and the day, per kind.
#[derive(Clone, Copy, Debug)]
pub struct Wanted {
    pub weekly: bool,
    pub weekly_day: u32,
    pub monthly: bool,
    pub monthly_day: u32,
}

/// Stores the user's choices. A summary turned on today counts as on since today; one that
/// stays on keeps its date, so changing its day does not skip or repeat a period.
pub fn put(
    conn: &mut DbConn,
    user_id: i64,
    wanted: Wanted,
    today: NaiveDate,
) -> Result<Settings, ApiError> {
    conn.transaction(|conn| {
        let before = get(conn, user_id)?;
        let since = |was: Choice, on: bool| match (on, was.since.filter(|_| was.enabled)) {
            (false, _) => None,
            (true, Some(since)) => Some(since),
            (true, None) => Some(today),
        };
        let settings = Settings {
            weekly: Choice {
                enabled: wanted.weekly,
                day: wanted.weekly_day,
                since: since(before.weekly, wanted.weekly),
            },
            monthly: Choice {
                enabled: wanted.monthly,
                day: wanted.monthly_day,
                since: since(before.monthly, wanted.monthly),
            },
        };
        store(conn, user_id, &settings)?;
        Ok(settings)
    })
}

/// Turns one kind off: what the unsubscribe link does.
pub fn turn_off(conn: &mut DbConn, user_id: i64, kind: Kind) -> Result<(), ApiError> {
    conn.transaction(|conn| {
        let mut settings = get(conn, user_id)?;
        let off = |c: Choice| Choice {
            enabled: false,
            since: None,
            ..c
        };
        match kind {
            Kind::Weekly => settings.weekly = off(settings.weekly),
            Kind::Monthly => settings.monthly = off(settings.monthly),
        }
        store(conn, user_id, &settings)
    })
}

fn store(conn: &mut DbConn, user_id: i64, s: &Settings) -> Result<(), ApiError> {
    use summary_settings::dsl as t;
    let day = |d: u32| i32::try_from(d).unwrap_or(1);
    let values = (
        t::weekly.eq(s.weekly.enabled),
        t::weekly_day.eq(day(s.weekly.day)),
        t::weekly_since.eq(s.weekly.since),
        t::monthly.eq(s.monthly.enabled),
        t::monthly_day.eq(day(s.monthly.day)),
        t::monthly_since.eq(s.monthly.since),
        t::updated_at.eq(now()),
    );
    with_conn!(conn, c => diesel::insert_into(t::summary_settings)
        .values((t::user_id.eq(user_id), values))
        .on_conflict(t::user_id)
        .do_update()
        .set(values)
        .execute(c))?;
    Ok(())
}
