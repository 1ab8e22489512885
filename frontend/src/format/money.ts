// Money arrives as an integer count of minor units next to an ISO 4217 code. It is turned into
// a decimal *string* before Intl formats it, so no amount ever passes through a float.

const digitsCache = new Map<string, number>();

/** How many minor-unit digits a currency has (EUR 2, JPY 0, BHD 3). */
export function minorDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    } catch {
      digits = 2; // An unknown code: show it with cents rather than fail the page.
    }
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** `-123456` EUR → `"-1234.56"`: exact, for Intl and for form inputs. */
export function toDecimalString(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, '0');
  if (digits === 0) return sign + abs;
  return `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

export interface MoneyOptions {
  locale?: string;
  /** `12K €` for chart axes. */
  compact?: boolean;
  /** `+12.50 €` for income next to expenses. */
  signed?: boolean;
}

export function formatMoney(minor: number, currency: string, options: MoneyOptions = {}): string {
  const decimal = toDecimalString(minor, currency) as Intl.StringNumericLiteral;
  const format = (code: string) =>
    new Intl.NumberFormat(options.locale, {
      style: 'currency',
      currency: code,
      notation: options.compact ? 'compact' : 'standard',
      signDisplay: options.signed ? 'exceptZero' : 'auto',
    }).format(decimal);
  try {
    return format(currency);
  } catch {
    return `${format('XXX').replace('¤', '').trim()} ${currency}`;
  }
}

/**
 * What a person typed (`12.5`, `-1,234.56`, `1.234,56`, `€ 7`, `(12.00)`) → minor units, or
 * `null` when it is not an amount. The last `.` or `,` is the decimal mark when one up to the
 * currency's number of digits follow it; other marks must group the whole part by threes.
 */
export function parseMoney(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  let s = text.replace(/[\s\u00a0\u202f]/g, '');
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true; // Accounting style.
    s = s.slice(1, -1);
  }
  // A currency symbol or code before or after the number.
  s = s.replace(/^[^\d.,-]+/, '').replace(/[^\d.,]+$/, '');
  if (s.startsWith('-')) {
    negative = true;
    s = s.slice(1).replace(/^[^\d.,]+/, '');
  }
  if (!/^[\d.,']*\d[\d.,']*$/.test(s)) return null;
  let whole = s;
  let fraction = '';
  const mark = Math.max(s.lastIndexOf('.'), s.lastIndexOf(','));
  const after = s.slice(mark + 1);
  if (mark >= 0 && after.length >= 1 && after.length <= digits && /^\d+$/.test(after)) {
    whole = s.slice(0, mark) || '0';
    fraction = after;
  }
  if (!/^\d+$/.test(whole) && !/^\d{1,3}([.,'])\d{3}(\1\d{3})*$/.test(whole)) return null;
  const minor = Number(whole.replace(/\D/g, '') + fraction.padEnd(digits, '0'));
  if (!Number.isSafeInteger(minor)) return null;
  return negative && minor !== 0 ? -minor : minor;
}

/** `0.234` → `23.4%`; for changes, `+12%` / `−3%`. */
export function formatPercent(ratio: number, options: { locale?: string; signed?: boolean } = {}): string {
  return new Intl.NumberFormat(options.locale, {
    style: 'percent',
    maximumFractionDigits: 1,
    signDisplay: options.signed ? 'exceptZero' : 'auto',
  }).format(ratio);
}
