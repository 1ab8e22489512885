import { currentMonth, isMonth, monthLabel, shiftMonth } from '../format/dates';
import { Store } from './store';

/** The period a page shows; kept in the address (`?month=2026-03`, `?year=2026`) so a reload or a shared link shows the same. */
export type Period = { kind: 'month'; month: string } | { kind: 'year'; year: number };

/** The period last picked on any page, so moving from the dashboard to budgets keeps it. */
export const chosenPeriod = new Store<Period | null>(null);

/** The address's period, else the one last chosen; `null` when the user has asked for none. */
export function askedPeriod(query: URLSearchParams): Period | null {
  const year = Number(query.get('year'));
  if (query.has('year') && Number.isInteger(year) && year >= 1900 && year <= 9999) return { kind: 'year', year };
  const month = query.get('month');
  if (isMonth(month)) return { kind: 'month', month };
  return chosenPeriod.get();
}

/** The address's period, else the one last chosen, else this month. */
export function periodFromQuery(query: URLSearchParams, today: Date = new Date()): Period {
  return askedPeriod(query) ?? { kind: 'month', month: currentMonth(today) };
}

/**
 * What a page opened on the latest month with data says (the API's `fell_back_from`), or
 * `null` when it shows the month asked for.
 */
export function fallbackNote(fellBackFrom: string | null | undefined, shown: string, locale?: string): string | null {
  if (!isMonth(fellBackFrom)) return null;
  return `Nothing recorded in ${monthLabel(fellBackFrom, locale)} yet: showing ${monthLabel(shown, locale)}, the latest month with transactions.`;
}

/** As API query parameters (the dashboard and transaction filters take the same names). */
export function periodParams(period: Period): { month?: string; year?: number } {
  return period.kind === 'month' ? { month: period.month } : { year: period.year };
}

export function writePeriod(query: URLSearchParams, period: Period): URLSearchParams {
  const next = new URLSearchParams(query);
  next.delete('month');
  next.delete('year');
  if (period.kind === 'month') next.set('month', period.month);
  else next.set('year', String(period.year));
  return next;
}

export function shiftPeriod(period: Period, by: number): Period {
  return period.kind === 'month'
    ? { kind: 'month', month: shiftMonth(period.month, by) }
    : { kind: 'year', year: period.year + by };
}

export function periodLabel(period: Period, locale?: string): string {
  return period.kind === 'month' ? monthLabel(period.month, locale) : String(period.year);
}
