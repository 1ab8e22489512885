import { describe, expect, it } from 'vitest';
import { formatMoney, formatPercent, minorDigits, parseMoney, toDecimalString } from '../src/format/money';

// Intl output uses narrow no-break spaces in some locales; compare with plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('minor units to text', () => {
  it('knows how many decimals a currency has', () => {
    expect(minorDigits('EUR')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('BHD')).toBe(3);
    expect(minorDigits('NOPE')).toBe(2);
  });

  it('writes exact decimal strings without floats', () => {
    expect(toDecimalString(-123456, 'EUR')).toBe('-1234.56');
    expect(toDecimalString(5, 'EUR')).toBe('0.05');
    expect(toDecimalString(-5, 'EUR')).toBe('-0.05');
    expect(toDecimalString(1999, 'JPY')).toBe('1999');
    expect(toDecimalString(1234, 'BHD')).toBe('1.234');
    // 2^53 - 1 cents: a float round-trip would lose the last digit.
    expect(toDecimalString(9007199254740991, 'USD')).toBe('90071992547409.91');
  });

  it('formats by currency and locale', () => {
    expect(formatMoney(-123456, 'EUR', { locale: 'en-US' })).toBe('-€1,234.56');
    expect(plain(formatMoney(-123456, 'EUR', { locale: 'de-DE' }))).toBe('-1.234,56 €');
    expect(formatMoney(150000, 'INR', { locale: 'en-IN' })).toBe('₹1,500.00');
    expect(formatMoney(1999, 'JPY', { locale: 'ja-JP' })).toBe('￥1,999');
    expect(formatMoney(1250, 'USD', { locale: 'en-US', signed: true })).toBe('+$12.50');
    expect(formatMoney(250000, 'USD', { locale: 'en-US', compact: true })).toBe('$2.5K');
  });

  it('still shows an amount in a currency Intl does not know', () => {
    expect(formatMoney(1050, 'ZZZ', { locale: 'en-US' })).toContain('10.50');
  });

  it('formats ratios as percentages', () => {
    expect(formatPercent(0.554, { locale: 'en-US' })).toBe('55.4%');
    expect(formatPercent(-0.037, { locale: 'en-US', signed: true })).toBe('-3.7%');
  });
});

describe('typed amounts to minor units', () => {
  it.each([
    ['12.5', 1250], ['12,50', 1250], ['-1,234.56', -123456], ['1.234,56', 123456],
    ['1 234,5', 123450], ['€ 7', 700], ['1,000', 100000], ['0.05', 5], ['(12.00)', -1200], ["1'000.25", 100025],
  ])('%s → %i (EUR)', (text, minor) => {
    expect(parseMoney(text, 'EUR')).toBe(minor);
  });

  it('respects the currency decimals', () => {
    expect(parseMoney('1,999', 'JPY')).toBe(1999);
    expect(parseMoney('1.234', 'BHD')).toBe(1234);
  });

  it.each(['', 'abc', '12.3.4x', '1,23,4', '-'])('refuses %j', (text) => {
    expect(parseMoney(text, 'EUR')).toBeNull();
  });
});
