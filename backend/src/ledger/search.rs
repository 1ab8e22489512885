//! Text search of transactions (`q` of the list, its totals and the export): what matches, and
//! how each backend finds it without reading every row of the user.
//!
//! A transaction matches when its description, merchant or notes, through the database's
//! `lower()`, contains the query lowercased, with `%`, `_` and `\` taken literally — the `LIKE`
//! Dhana always sent. That `LIKE` still decides on both backends (its case rules differ:
//! PostgreSQL lowers every letter of its locale, SQLite only A–Z, so `café` finds `CAFÉ` on
//! PostgreSQL only); SQLite is sent it without the `lower()`, which changes nothing there (its
//! `LIKE` compares A–Z in either case and every other character exactly, and `lower()` folds A–Z
//! only) and costs half of a walk. The indexes only bound the rows it is checked on:
//! - PostgreSQL: the pg_trgm GIN index on these very `lower(…)` expressions (migration
//!   `text_search`) serves the `LIKE` itself, the planner choosing it when it pays.
//! - SQLite: the FTS5 trigram table `transactions_fts` names the rows whose text holds every
//!   trigram of the query under FTS5's own case folding. It keeps no positions (cheaper to
//!   write), so it names rows holding the trigrams anywhere, not only side by side. The folding
//!   maps each character to one character and folds at least A–Z, so every row the `LIKE`
//!   matches is among them (a superset: `CAFÉ` is a candidate for `café`, `shore hop` for
//!   `shop`, and the `LIKE` then turns them down as it always did).
//!
//! A page asks the index first how many rows it names, up to `FEW`: a query that rare is read from
//! those rows and sorted (`Step::Read`). A commoner one walks the sort's own index with the `LIKE`
//! alone, which meets a page of matches after about page × rows ÷ matches rows and stops — unless
//! the matches sit far down the sort (a word of expenses sorted by amount walks past every income
//! first). So the walk is bounded: `FEW` rows of the sort's order (`Step::Walk`), then, short of a
//! page, twice as many as walked so far, and before each further stretch the index is asked again
//! (going on from the last row it counted: `Steps`): once it names at most twice the rows walked,
//! the rest of the page is read from those rows. Where the sort's index carries the searched texts
//! (the amount index: migrations `amount_index_with_text`, `amount_index_in_halves`) a walked row
//! is checked on the entry alone and costs a sixth to a tenth of a row read, so the page turns to
//! reading only once the index names at most half the rows walked (`COVERED`). A page thus costs a
//! small multiple of the cheaper of the two plans — the walk to a page of matches, or reading every
//! row the index names — whatever the history. Totals and exports read every match anyway and
//! always go through the index. PostgreSQL plans a page the same way, with two differences: its GIN
//! index cannot count up to a limit, so the planner's estimate of the `LIKE`'s rows stands in for
//! the count; and each step's query is held to the step's path (`Step::read`), where its planner
//! would walk the sort's index for a read and build the trigram index's bitmap for a stretch of the
//! walk. A query it expects in very many rows is left to it in one query (`LEFT_TO_THE_PLANNER`):
//! reading those rows never beats its walk; nor, where the sort's index carries the texts, does
//! reading a tenth of all rows (`WALK_ALL`).
//!
//! A trigram index knows nothing of strings under three characters: a shorter query is checked
//! by the `LIKE` alone, a scan of the user's rows as before (on PostgreSQL, pg_trgm then reads its
//! whole index or the planner scans the rows).

use diesel::backend::Backend;
use diesel::connection::SimpleConnection;
use diesel::expression::{is_aggregate, AppearsOnTable, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Bool, HasSqlType, Integer, Text};
use diesel::sqlite::Sqlite;

use crate::db::schema::transactions;
use crate::db::DbConn;
use crate::error::ApiError;

/// The searched columns, as `lower()` reads them (and as the PostgreSQL index is built on).
const COLUMNS: [&str; 3] = [
    "transactions.description",
    "transactions.merchant",
    "transactions.notes",
];

/// Trigram indexes hold strings of three characters: nothing shorter can be looked up.
const TRIGRAM: usize = 3;

/// Up to how many rows named by the index a page is read from them rather than from the sort's
/// index, and how many rows of the sort's order the first stretch of a walk reads: about 20 ms
/// of row reads and sorting at most on SQLite (release build, 100,000 rows; docs/BENCHMARKS.md),
/// where a query named by more rows than this finds a page within about 50 × rows ÷ 2,000 rows
/// of the sort's index when its matches are spread evenly.
const FEW: i64 = 2000;

/// Where the sort's index carries the searched texts, a page turns to reading the rows the index
/// names only once they are at most the rows walked ÷ `COVERED`: a walked row is checked on its
/// index entry (SQLite, 1,000,000 rows, `shop` by amount: 5.5 ms for 25,200 entries), a read row
/// is fetched and sorted (`grocery 1`'s 11,111 rows: 15 ms on SQLite, 40 ms on PostgreSQL;
/// docs/BENCHMARKS.md), six to ten times as much, so counting the index up to twice the rows
/// walked, as for a walk of table rows, would cost more than it could save.
const COVERED: i64 = 2;

/// On PostgreSQL, above how many rows the planner expects a query in, a page is one query left
/// to the planner (which walks the sort's index, as before the steps): reading that many rows
/// through the trigram index takes longer than the walk to a page would have to (11,111 rows:
/// 40 ms at 1,000,000, more than 100 ms from here), so the steps could only add their own bounds
/// and queries to the walk (`q=shop&sort=amount`: 88 → 111 ms, docs/BENCHMARKS.md).
const LEFT_TO_THE_PLANNER: i64 = 16 * FEW;

/// On PostgreSQL, where the sort's index carries the searched texts, a query the planner expects
/// in more than one row in `WALK_ALL` of the table is left to it too: a walked entry costs a sixth
/// to a tenth of a read row (`COVERED`), so walking past every row costs about what reading a
/// tenth of them does, and the steps' reads cannot beat the planner's walk even when the matches
/// sit at its far end; their stretch bounds only add to it (100,000 rows, `q=shop&sort=amount`,
/// three rows in ten: 15–21 ms a page with the steps, 5–7 ms left to the planner;
/// docs/BENCHMARKS.md).
const WALK_ALL: i64 = 10;

/// Whether PostgreSQL's planner gets a page in one query: it expects the text in `expected` rows
/// of the `all` in the table (each `None` when its plan named none), and `covered` says whether
/// the sort's index carries the texts.
fn left_to_the_planner(expected: Option<i64>, all: Option<i64>, covered: bool) -> bool {
    let expected = expected.unwrap_or(i64::MAX);
    expected > LEFT_TO_THE_PLANNER
        || covered && all.is_some_and(|all| expected.saturating_mul(WALK_ALL) > all)
}

/// How (the next part of) a page of a text search is read.
#[derive(Debug)]
pub enum Step {
    /// The rest of the page in one query with this condition.
    Read(TextMatch),
    /// The next this many rows of the sort's order (of the filter without the text), checked
    /// with this condition; then `Steps::next` when they held less than the page.
    Walk(TextMatch, i64),
}

/// Every distinct trigram of `lowered`, as an FTS5 query that names the rows holding all of
/// them. The index keeps no positions (migration `text_index_without_positions`), so it cannot
/// check that they stand in a row; the rows it names are a superset of those that contain the
/// query, and the `LIKE` decides.
fn trigrams(lowered: &str) -> Option<String> {
    let chars: Vec<char> = lowered.chars().collect();
    let mut seen: Vec<String> = Vec::new();
    for window in chars.windows(TRIGRAM) {
        // An FTS5 string: inside double quotes everything is literal but a doubled quote.
        let quoted = format!(
            "\"{}\"",
            window.iter().collect::<String>().replace('"', "\"\"")
        );
        if !seen.contains(&quoted) {
            seen.push(quoted);
        }
    }
    (!seen.is_empty()).then(|| seen.join(" AND "))
}

#[derive(QueryableByName)]
struct Named {
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    last: i64,
}

/// The search condition of one query, a `WHERE` expression over `transactions`.
#[derive(Clone, Debug)]
pub struct TextMatch {
    /// `%query%`, lowercased, with LIKE's own characters escaped by `\`.
    like: String,
    /// The FTS5 query naming the rows that hold every trigram of the query (SQLite), when it is
    /// long enough for the trigram index.
    index_query: Option<String>,
}

impl TextMatch {
    /// `None` for a query of nothing but spaces: no condition at all.
    pub fn new(q: &str) -> Option<TextMatch> {
        let q = q.trim();
        if q.is_empty() {
            return None;
        }
        let lowered = q.to_lowercase();
        let escaped = lowered
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        Some(TextMatch {
            like: format!("%{escaped}%"),
            index_query: trigrams(&lowered),
        })
    }

    /// The steps of one page (see the module's notes); `covered`: the sort's index carries the
    /// searched texts.
    pub fn steps(&self, covered: bool) -> Steps {
        Steps {
            text: self.clone(),
            covered,
            counted: 0,
            after_rowid: 0,
            all_counted: false,
        }
    }

    /// Whether its rows are read from those the trigram index names (a `Step::Read` of a query
    /// long enough for it) rather than along the sort's order.
    pub fn through_index(&self) -> bool {
        self.index_query.is_some()
    }

    /// The same condition decided by the `LIKE` alone.
    fn without_index(&self) -> TextMatch {
        TextMatch {
            like: self.like.clone(),
            index_query: None,
        }
    }

    /// The `LIKE` on each column, through `lower()` when `lowered`.
    fn walk_like<'b, DB>(&'b self, out: &mut AstPass<'_, 'b, DB>, lowered: bool) -> QueryResult<()>
    where
        DB: Backend + HasSqlType<Text>,
        String: ToSql<Text, DB>,
    {
        out.push_sql("(");
        for (i, column) in COLUMNS.iter().enumerate() {
            if i > 0 {
                out.push_sql(" OR ");
            }
            match lowered {
                true => {
                    out.push_sql("lower(");
                    out.push_sql(column);
                    out.push_sql(")");
                }
                false => out.push_sql(column),
            }
            out.push_sql(" LIKE ");
            out.push_bind_param::<Text, _>(&self.like)?;
            out.push_sql(" ESCAPE '\\'");
        }
        out.push_sql(")");
        Ok(())
    }
}

/// The steps of one page: what the text index was asked so far is not asked again.
pub struct Steps {
    text: TextMatch,
    /// The sort's index carries the searched texts, so a walked row is checked on its entry.
    covered: bool,
    /// Rows the index named with rowids up to `after_rowid` (FTS5 names them in rowid order and
    /// seeks to `rowid > ?`): each question goes on from where the last one stopped, so a page
    /// reads each doclist entry at most once however many stretches it walks. On PostgreSQL the
    /// planner's estimate of every row, asked once.
    counted: i64,
    after_rowid: i64,
    /// Whether `counted` is every row the index names.
    all_counted: bool,
}

impl Steps {
    /// How a page starts.
    pub fn first(&mut self, conn: &mut DbConn) -> Result<Step, ApiError> {
        self.after(conn, FEW, FEW)
    }

    /// How a page goes on after the walk of `walked` rows of the sort's order found less than a
    /// page (the rows after those).
    pub fn next(&mut self, conn: &mut DbConn, walked: i64) -> Result<Step, ApiError> {
        let stretch = walked.saturating_mul(2);
        let reading = match self.covered {
            true => walked / COVERED,
            false => stretch,
        };
        self.after(conn, reading, stretch)
    }

    /// Read from the rows the index names if they are at most `reading`, else walk `stretch`
    /// rows of the sort's order.
    fn after(&mut self, conn: &mut DbConn, reading: i64, stretch: i64) -> Result<Step, ApiError> {
        Ok(match self.names_at_most(conn, reading)? {
            Some(false) => Step::Walk(self.text.without_index(), stretch),
            Some(true) | None => Step::Read(self.text.clone()),
        })
    }

    /// Whether the index names at most `n` rows (of any user); `None` without an index to ask (a
    /// query too short for trigrams, or on PostgreSQL one left to its planner:
    /// `left_to_the_planner`). SQLite's index counts them, up to `n + 1`. PostgreSQL's GIN
    /// index cannot stop early (it builds a bitmap of every row holding the trigrams: 65 ms for
    /// `shop` at 1,000,000 rows), so there the planner's estimate of the `LIKE`'s rows stands in
    /// for the whole count, asked once a page: drawn from the statistics of these very
    /// expressions (ANALYZE samples them for the index), it came within 10% of the true count for
    /// the common queries of `scripts/bench-history` at 1,000,000 rows and guessed 100 for the
    /// rare ones (1,111 and none), which picks their cheaper plan anyway. It decides only the
    /// plan; the `LIKE` decides the rows.
    fn names_at_most(&mut self, conn: &mut DbConn, n: i64) -> Result<Option<bool>, ApiError> {
        let Some(index_query) = &self.text.index_query else {
            return Ok(None);
        };
        let wanted = n.saturating_add(1).saturating_sub(self.counted);
        if !self.all_counted && wanted > 0 {
            match conn {
                DbConn::Sqlite(c) => {
                    let named: Named = diesel::sql_query(
                        "SELECT COUNT(*) AS n, COALESCE(MAX(rowid), 0) AS last FROM \
                         (SELECT rowid FROM transactions_fts WHERE transactions_fts MATCH ? \
                          AND rowid > ? ORDER BY rowid LIMIT ?)",
                    )
                    .bind::<Text, _>(index_query)
                    .bind::<BigInt, _>(self.after_rowid)
                    .bind::<BigInt, _>(wanted)
                    .get_result(&mut **c)?;
                    self.counted += named.n;
                    self.after_rowid = self.after_rowid.max(named.last);
                    self.all_counted = named.n < wanted;
                }
                DbConn::Postgres(c) => {
                    let one = || 1.into_sql::<Integer>();
                    let searched = transactions::table.filter(self.text.clone()).select(one());
                    let expected = planned_rows(c, searched)?;
                    // The table's size matters only to a walk whose first step is no read.
                    let all = match self.covered && expected.is_some_and(|e| e > n) {
                        true => planned_rows(c, transactions::table.select(one()))?,
                        false => None,
                    };
                    self.counted = expected.unwrap_or(i64::MAX);
                    self.all_counted = true;
                    if left_to_the_planner(expected, all, self.covered) {
                        // No index to ask from here on: the page is read in one query, unheld.
                        self.text.index_query = None;
                        return Ok(None);
                    }
                }
            }
        }
        Ok(Some(self.counted <= n))
    }
}

/// `EXPLAIN` of a PostgreSQL query: its lines, the first naming the rows the plan expects.
#[derive(QueryId)]
struct Explain<Q>(Q);

impl<Q> Query for Explain<Q> {
    type SqlType = Text;
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Explain<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("EXPLAIN ");
        self.0.walk_ast(out.reborrow())
    }
}

impl<Q> RunQueryDsl<PgConnection> for Explain<Q> {}

/// The rows PostgreSQL's planner expects `query` to return.
fn planned_rows<Q>(c: &mut PgConnection, query: Q) -> QueryResult<Option<i64>>
where
    Q: QueryFragment<Pg> + QueryId,
{
    let plan = Explain(query).get_result::<String>(c)?;
    Ok(estimated_rows(&plan))
}

/// The rows a plan's top line expects (`… rows=303030 width=4)`).
pub fn estimated_rows(line: &str) -> Option<i64> {
    let (_, rest) = line.split_once(" rows=")?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

impl Step {
    /// Runs `load`, this step's query, on the path the step chose. SQLite's condition itself
    /// names the path (`transactions.id IN` the index's rows, or the `LIKE` alone, which leaves
    /// it the sort's index). PostgreSQL's planner, left to itself, takes the other path in both
    /// cases: it walks the sort's index for a read of the rows the index names, reckoning the
    /// matches spread evenly along it (a word whose every match is old: 0.6 s a page at
    /// 1,000,000 rows), and builds the trigram index's bitmap of every row holding a common word
    /// for a stretch of 2,000 rows of the walk (50 ms each). So there its paths are held for the
    /// one query: a read through bitmaps only (which leaves it the trigram index), a walk
    /// without them.
    pub fn read<T>(
        &self,
        conn: &mut DbConn,
        load: impl FnOnce(&mut DbConn) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        // `SET LOCAL`: until the end of the transaction below. A disabled path keeps its place at
        // a cost of 10^10 where nothing else is left (the small accounts table), which would
        // pass the planner's threshold for compiling the query: half a second of JIT for a 3 ms
        // read.
        let paths = match self {
            Step::Read(m) if m.index_query.is_some() => {
                "SET LOCAL enable_indexscan = off; SET LOCAL enable_indexonlyscan = off; \
                 SET LOCAL enable_seqscan = off; SET LOCAL jit = off"
            }
            Step::Read(_) => return load(conn),
            Step::Walk(..) => "SET LOCAL enable_bitmapscan = off",
        };
        if let DbConn::Sqlite(_) = conn {
            return load(conn);
        }
        conn.transaction(|conn| {
            if let DbConn::Postgres(c) = conn {
                c.batch_execute(paths)?;
            }
            load(conn)
        })
    }
}

impl Expression for TextMatch {
    type SqlType = Bool;
}

impl QueryId for TextMatch {
    type QueryId = ();
    // With and without the index lookup the SQL differs: no static id may cover both.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<Pg> for TextMatch {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        // Planned for each query's own pattern: a statement kept prepared soon gets PostgreSQL's
        // generic plan, which guesses every pattern rare and reads a common word's thousands of
        // rows through the trigram index, where walking the sort's index stops after a page.
        out.unsafe_to_cache_prepared();
        self.walk_like(&mut out, true)
    }
}

impl QueryFragment<Sqlite> for TextMatch {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        if let Some(index_query) = &self.index_query {
            out.push_sql(
                "transactions.id IN \
                 (SELECT rowid FROM transactions_fts WHERE transactions_fts MATCH ",
            );
            out.push_bind_param::<Text, _>(index_query)?;
            out.push_sql(") AND ");
        }
        // Without ICU, SQLite's `lower()` folds A–Z only, and its `LIKE` already compares A–Z
        // either case alike and every other character exactly (`case_sensitive_like` is never
        // set): through `lower()` or not, the same rows match, and a walk checking three
        // columns on each index entry spends half its time in `lower()`.
        self.walk_like(&mut out, false)
    }
}

impl<GB> ValidGrouping<GB> for TextMatch {
    type IsAggregate = is_aggregate::Never;
}

impl<QS> SelectableExpression<QS> for TextMatch {}

impl<QS> AppearsOnTable<QS> for TextMatch {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_characters_are_taken_literally_and_case_is_lowered() {
        let m = TextMatch::new("  100%_A\\b ").unwrap();
        assert_eq!(m.like, "%100\\%\\_a\\\\b%");
        assert_eq!(
            m.index_query.as_deref(),
            Some("\"100\" AND \"00%\" AND \"0%_\" AND \"%_a\" AND \"_a\\\" AND \"a\\b\"")
        );
    }

    #[test]
    fn short_queries_skip_the_trigram_index() {
        assert!(TextMatch::new("   ").is_none());
        assert_eq!(TextMatch::new("é%").unwrap().index_query, None);
        assert_eq!(TextMatch::new(" ab ").unwrap().index_query, None);
        // Characters, not bytes: three accented letters are six bytes.
        assert_eq!(
            TextMatch::new("ÉÉÉ").unwrap().index_query.as_deref(),
            Some("\"ééé\"")
        );
        // A trigram the query repeats is asked for once.
        assert_eq!(
            TextMatch::new("aaaa").unwrap().index_query.as_deref(),
            Some("\"aaa\"")
        );
    }

    #[test]
    fn the_estimate_is_read_from_the_plans_top_line() {
        let line = "Bitmap Heap Scan on transactions  (cost=3120.00..32245.32 rows=303030 width=4)";
        assert_eq!(estimated_rows(line), Some(303030));
        assert_eq!(estimated_rows("Result  (cost=0.00..0.01 width=4)"), None);
    }

    #[test]
    fn a_walk_on_texts_it_carries_is_left_to_the_planner_for_a_tenth_of_the_rows() {
        // Far more rows than any read could beat: whatever the index.
        assert!(left_to_the_planner(Some(32_001), Some(1_000_000), false));
        assert!(!left_to_the_planner(Some(32_000), Some(1_000_000), false));
        // No estimate at all is taken as very many rows.
        assert!(left_to_the_planner(None, None, false));
        // `shop` at 100,000 rows (three in ten) on the amount index; a tenth exactly is not more.
        assert!(left_to_the_planner(Some(31_313), Some(100_000), true));
        assert!(!left_to_the_planner(Some(10_000), Some(100_000), true));
        assert!(left_to_the_planner(Some(10_001), Some(100_000), true));
        // The same word in date order walks table rows: the steps keep it.
        assert!(!left_to_the_planner(Some(31_313), Some(100_000), false));
        // A rare word among many rows, and a table whose size the plan did not name.
        assert!(!left_to_the_planner(Some(11_111), Some(1_000_000), true));
        assert!(!left_to_the_planner(Some(31_313), None, true));
    }

    #[test]
    fn quotes_stay_inside_their_strings() {
        assert_eq!(
            TextMatch::new("say \"hi\"").unwrap().index_query.as_deref(),
            Some("\"say\" AND \"ay \" AND \"y \"\"\" AND \" \"\"h\" AND \"\"\"hi\" AND \"hi\"\"\"")
        );
    }
}
