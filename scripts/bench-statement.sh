# Sourced by the benchmarks that import a bank statement (bench-import, bench-history,
# bench-plan), so that they all import the same rows.

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
