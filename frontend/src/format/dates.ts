// Months travel as `YYYY-MM` strings (the API's `month=` filter); all arithmetic stays on
// integers so no time zone can shift a month.

export function currentMonth(today: Date = new Date()): string {
  return `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}`;
}

export function isMonth(value: string | null | undefined): value is string {
  return !!value && /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
}

export function shiftMonth(month: string, by: number): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + (m - 1) + by;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** `2026-03` → `March 2026` (short: `Mar 26`) in the reader's language. */
export function monthLabel(month: string, locale?: string, style: 'long' | 'short' = 'long'): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const options: Intl.DateTimeFormatOptions = style === 'long'
    ? { month: 'long', year: 'numeric', timeZone: 'UTC' }
    : { month: 'short', year: '2-digit', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(locale, options).format(
    new Date(Date.UTC(year, m - 1, 1)),
  );
}

/** `2026-03-14` → `14 Mar 2026` (or the locale's order). */
export function formatDate(date: string, locale?: string): string {
  const [year, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(Date.UTC(year, m - 1, d)),
  );
}

export function today(now: Date = new Date()): string {
  return `${currentMonth(now)}-${String(now.getDate()).padStart(2, '0')}`;
}
