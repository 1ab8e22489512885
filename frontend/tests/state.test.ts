import { afterEach, describe, expect, it, vi } from 'vitest';
import { currentMonth, monthLabel, shiftMonth } from '../src/format/dates';
import { askedPeriod, chosenPeriod, fallbackNote, periodFromQuery, periodParams, shiftPeriod, writePeriod } from '../src/state/period';
import { session, updateUser, type User } from '../src/state/session';
import { Store } from '../src/state/store';
import { lastAccount, rememberAccount } from '../src/state/last-account';
import { categoryReason } from '../src/format/category-reason';
import { categoryOptions, inTreeOrder } from '../src/api/reference';
import { exportHref, filtersFromQuery, filtersToQuery } from '../src/state/transaction-filters';

describe('store', () => {
  it('notifies subscribers of changes only, until they unsubscribe', () => {
    const store = new Store(1);
    const seen = vi.fn();
    const stop = store.subscribe(seen);
    store.set(1);
    store.set(2);
    stop();
    store.set(3);
    expect(seen.mock.calls).toEqual([[2]]);
    expect(store.get()).toBe(3);
  });
});

describe('session', () => {
  const user: User = { id: 1, email: 'a@example.com', display_name: 'Asha', base_currency: 'EUR', created_at: '2026-01-01T00:00:00Z' };
  afterEach(() => session.set(null));

  it('keeps the CSRF token when the profile changes', () => {
    session.set({ user, csrfToken: 't0k3n' });
    updateUser({ ...user, base_currency: 'INR' });
    expect(session.get()).toEqual({ user: { ...user, base_currency: 'INR' }, csrfToken: 't0k3n' });
  });

  it('does not sign anyone in by updating a profile', () => {
    updateUser(user);
    expect(session.get()).toBeNull();
  });
});

describe('months and periods', () => {
  afterEach(() => chosenPeriod.set(null));
  const november = new Date(2026, 10, 21);

  it('does month arithmetic across years', () => {
    expect(currentMonth(november)).toBe('2026-11');
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(shiftMonth('2026-12', 1)).toBe('2027-01');
    expect(shiftMonth('2026-03', -15)).toBe('2024-12');
    expect(monthLabel('2026-03', 'en-US')).toBe('March 2026');
  });

  it('reads the period from the address, else the last chosen, else this month', () => {
    expect(periodFromQuery(new URLSearchParams('month=2026-03'), november)).toEqual({ kind: 'month', month: '2026-03' });
    expect(periodFromQuery(new URLSearchParams('year=2025'), november)).toEqual({ kind: 'year', year: 2025 });
    expect(periodFromQuery(new URLSearchParams('month=2026-13'), november)).toEqual({ kind: 'month', month: '2026-11' });
    chosenPeriod.set({ kind: 'year', year: 2024 });
    expect(periodFromQuery(new URLSearchParams(''), november)).toEqual({ kind: 'year', year: 2024 });
  });

  it('leaves the period to the server when none was asked for, and says when it fell back', () => {
    expect(askedPeriod(new URLSearchParams(''))).toBeNull();
    expect(askedPeriod(new URLSearchParams('month=2025-10'))).toEqual({ kind: 'month', month: '2025-10' });
    chosenPeriod.set({ kind: 'month', month: '2024-05' });
    expect(askedPeriod(new URLSearchParams(''))).toEqual({ kind: 'month', month: '2024-05' });
    expect(fallbackNote(null, '2025-12', 'en-US')).toBeNull();
    expect(fallbackNote('2026-11', '2025-12', 'en-US'))
      .toBe('Nothing recorded in November 2026 yet: showing December 2025, the latest month with transactions.');
  });

  it('writes the period back and steps through it', () => {
    const query = writePeriod(new URLSearchParams('month=2026-01&x=1'), { kind: 'year', year: 2026 });
    expect(query.toString()).toBe('x=1&year=2026');
    expect(periodParams({ kind: 'month', month: '2026-02' })).toEqual({ month: '2026-02' });
    expect(shiftPeriod({ kind: 'month', month: '2026-01' }, -1)).toEqual({ kind: 'month', month: '2025-12' });
    expect(shiftPeriod({ kind: 'year', year: 2026 }, 1)).toEqual({ kind: 'year', year: 2027 });
  });
});

describe('transaction filters', () => {
  it('keeps the valid filters of an address and drops the rest', () => {
    const filters = filtersFromQuery(new URLSearchParams(
      'month=2026-10&account_id=3&category_id=abc&uncategorized=true&q=+rewe+&flow=expense&sort=amount&order=asc&from=2026-1-1&import_id=7',
    ));
    expect(filters).toEqual({
      month: '2026-10', account_id: 3, uncategorized: true, q: 'rewe', flow: 'expense', sort: 'amount', order: 'asc', import_id: 7,
    });
    expect(filtersFromQuery(new URLSearchParams('flow=sideways&sort=name&year=-2'))).toEqual({});
  });

  it('round-trips through the address', () => {
    const filters = { month: '2026-10', category_id: 4, q: 'café' };
    expect(filtersFromQuery(filtersToQuery(filters))).toEqual(filters);
  });

  it('exports exactly the filtered set', () => {
    expect(exportHref({ month: '2026-10', q: 'a b', sort: 'amount', order: 'asc' }))
      .toBe('/api/v1/transactions/export.csv?month=2026-10&q=a+b');
    expect(exportHref({})).toBe('/api/v1/transactions/export.csv');
  });
});

describe('category tree', () => {
  const category = (id: number, name: string, parent_id: number | null = null, kind: 'expense' | 'income' = 'expense') =>
    ({ id, name, parent_id, kind, color: '#000000' });
  const categories = [category(1, 'Coffee', 2), category(2, 'Dining'), category(3, 'Bakery', 2), category(4, 'Salary', null, 'income')];

  it('puts sub-categories under their parent, named with it', () => {
    expect(categoryOptions(categories)).toEqual([['2', 'Dining'], ['1', 'Dining › Coffee'], ['3', 'Dining › Bakery'], ['4', 'Salary']]);
    expect(categoryOptions(categories, 'income')).toEqual([['4', 'Salary']]);
    expect(inTreeOrder(categories).map(({ category: c }) => c.id)).toEqual([2, 1, 3, 4]);
  });
});

describe('the last account used', () => {
  it('starts a new transaction in the account last used, while it exists', () => {
    const kept = new Map<string, string>();
    const storage = { getItem: (k: string) => kept.get(k) ?? null, setItem: (k: string, v: string) => void kept.set(k, v) };
    const accounts = [{ id: 3 }, { id: 7 }];
    expect(lastAccount(accounts, storage)).toBe(3);
    rememberAccount(7, storage);
    expect(lastAccount(accounts, storage)).toBe(7);
    expect(lastAccount([{ id: 3 }], storage)).toBe(3); // an account since deleted
    expect(lastAccount([], storage)).toBeUndefined();
    expect(lastAccount(accounts, null)).toBe(3);
  });
});

describe('why a transaction has its category', () => {
  it('names who set it, and leaves the categorizer to explain itself', () => {
    expect(categoryReason('user')).toBe('Set by you.');
    expect(categoryReason('rule')).toBe('Filed by one of your rules.');
    expect(categoryReason('import')).toBe("From the bank file's own category column.");
    expect(categoryReason('model')).toBeNull();
    expect(categoryReason(null)).toBeNull();
  });
});
