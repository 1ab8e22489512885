# Sourced by the benchmarks that import a bank statement (bench-import, bench-history,
# bench-plan), so that they all import the same rows, and write the same history in SQL.

# A plausible statement of N rows: dates over ten years, varied amounts and merchants, no two
# rows alike.
statement() { # rows, file
  awk -v n="$1" 'BEGIN {
    srand(42); print "Date,Description,Amount";
    split("TESCO STORES,SHELL OIL,AMAZON MKTPLACE,NETFLIX.COM,UBER TRIP,STARBUCKS,RENT,SALARY ACME", m, ",");
    for (i = 0; i < n; i++) {
      d = 1 + int(i / (n / 3650 + 1));
      printf "%s,%s %d,%s%d.%02d\n", strftime("%Y-%m-%d", 1420070400 + d * 86400, 1), m[1 + i % 8], i,
        (i % 8 == 7 ? "" : "-"), int(rand() * 500), int(rand() * 100)
    }
  }' >"$2"
}

# The history of user 1's account 1: $1 transactions over ten years from 2016-04-01, written in
# SQL (bench-history's ledgers, bench-import's bound with a history). One in ten mentions a
# grocery, three in ten a shop; amounts repeat (20,000 distinct values) so sorting by amount meets
# many ties. history_select is the SELECT list over a series `i`, the same on both backends but
# the date expression.
# A third of the rows name one of 50 merchants in a column of their own, in letters (a name of
# words with digits in them would give no merchant key). merchant_key is the key Dhana derives
# (ledger::merchants::key): the merchant's, else the description's words without the banks'.
history_merchant() {
  echo "substr('ABCDEFGHIJKLMNOPQRSTUVWXY', CAST(1 + i % 25 AS INTEGER), 1)
    || substr('AB', CAST(1 + i % 50 / 25 AS INTEGER), 1)"
}
history_select() { # rows, date expression
  cat <<SQL
  SELECT 1, 1, $2,
         CASE WHEN i % 40 = 0 THEN 250000 ELSE -(100 + (i * 7919) % 20000) END,
         'CARD PAYMENT ' || CASE i % 10 WHEN 0 THEN 'GREEN GROCERY' WHEN 1 THEN 'CORNER SHOP'
           WHEN 2 THEN 'SHELL OIL' WHEN 3 THEN 'NETFLIX.COM' WHEN 4 THEN 'BIKE SHOP'
           WHEN 5 THEN 'STARBUCKS' WHEN 6 THEN 'RENT' WHEN 7 THEN 'SHOPRITE'
           WHEN 8 THEN 'PHARMACY' ELSE 'BAKERY' END || ' ' || i,
         CASE WHEN i % 3 = 0 THEN 'Merchant ' || $(history_merchant) END,
         CASE WHEN i % 3 = 0 THEN 'merchant ' || lower($(history_merchant))
           ELSE CASE i % 10 WHEN 0 THEN 'green grocery' WHEN 1 THEN 'corner shop'
             WHEN 2 THEN 'shell oil' WHEN 3 THEN 'netflix' WHEN 4 THEN 'bike shop'
             WHEN 5 THEN 'starbucks' WHEN 6 THEN 'rent' WHEN 7 THEN 'shoprite'
             WHEN 8 THEN 'pharmacy' ELSE 'bakery' END END,
         CASE WHEN i % 40 = 0 THEN 18 WHEN i % 9 = 0 THEN NULL ELSE 1 + i % 17 END,
         false, 'b:' || i, '2026-01-01 00:00:00', '2026-01-01 00:00:00'
SQL
}
HISTORY_COLUMNS="user_id, account_id, date, amount, description, merchant, merchant_key, category_id,
  is_transfer, fingerprint, created_at, updated_at"

history_sqlite() { # rows, database file
  sqlite3 "$2" "
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $1 - 1)
    INSERT INTO transactions ($HISTORY_COLUMNS)
    $(history_select "$1" "date('2016-04-01', '+' || (i * 3653 / $1) || ' days')") FROM n;
    ANALYZE;"
}

history_postgres() { # rows, database URL
  psql -q -v ON_ERROR_STOP=1 "$2" <<SQL
INSERT INTO transactions ($HISTORY_COLUMNS)
$(history_select "$1" "DATE '2016-04-01' + (i * 3653 / $1)::int") FROM generate_series(0::bigint, $1 - 1) i;
VACUUM ANALYZE;
SQL
}
