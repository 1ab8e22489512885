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
 * What a person typed (`12.5`, `-1,234.56`, `1.234,56`, `12,50 €`) → minor units, or `null`
 * when it is not an amount. The last `.` or `,` is the decimal mark when at most the
 * currency's number of digits follow it; any other `.`, `,`, space or `'` groups digits.
 */
export function parseMoney(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  let s = text.replace(/[\s\u00a0\u202f']/g, '').replace(/[^\d.,-]/g, '');
  const negative = s.startsWith('-') || /^\(.*\)$/.test(text.trim());
  s = s.replace(/-/g, '');
  if (!/^[\d.,]*\d[\d.,]*$/.test(s)) return null;
  let whole = s;
  let fraction = '';
  const mark = Math.max(s.lastIndexOf('.'), s.lastIndexOf(','));
  if (mark >= 0) {
    const after = s.slice(mark + 1);
    if (after.length > 0 && after.length <= digits && !/[.,]/.test(after)) {
      whole = s.slice(0, mark);
      fraction = after;
    } else if (after.length !== 3) {
      return null; // Neither a decimal mark nor a thousands group.
    }
  }
  whole = whole.replace(/[.,]/g, '') || '0';
  const minor = Number(whole + fraction.padEnd(digits, '0'));
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
