// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import type { Schemas } from '../src/api/client';
import { forecastVsActual } from '../src/pages/dashboard';
import {
  balanceView, forecastBars, forecastView, forecastWords, isApplied, recommendationsView, subscriptionsView,
} from '../src/pages/insights';
import { forecastChart } from '../src/ui/charts';

type Outlook = Schemas['ForecastOutlook'];
type Item = Schemas['ForecastItem'];

const item = (name: string, amount: number | null, low: number | null, high: number | null, extra: Partial<Item> = {}): Item => ({
  name, amount, low, high, known_amount: 0, backtests: [], category_id: null, method: amount == null ? null : 'median',
  basis: amount == null ? null : 'the median of all months, the baseline with the smallest error on this series\' own past',
  not_enough_data: null, ...extra,
});
const notYet = { needs_months: 5, has_months: 2, message: 'not enough data yet: needs 5 months, you have 2' };

const outlook = (over: Partial<Outlook> = {}): Outlook => ({
  month: '2026-12', currency: 'EUR', history_months: 8,
  spending: item('Total', 250000, 220000, 290000, { known_amount: 120000 }),
  income: item('Income', 300000, 300000, 300000, { known_amount: 300000 }),
  net: item('Net savings', 50000, 10000, 80000),
  categories: [
    item('Groceries', 40000, 32000, 51000, { category_id: 3, backtests: [{ method: 'median', origins: 6, mae: 4210.4, mase: 0.8 }] }),
    item('Gifts', null, null, null, { category_id: 9, not_enough_data: notYet }),
  ],
  pace: null, not_enough_data: null, ...over,
});

const charts = () => ({ add: vi.fn() });

describe('forecast on the insights page', () => {
  it('draws each forecast with its band and says it in words, with its basis one tap away', () => {
    const c = charts();
    const view = forecastView(outlook(), c);
    expect(view.querySelector('h2')!.textContent).toBe('Spending forecast for December 2026');
    // The total and Groceries are drawn; Gifts has no number to draw.
    const config = c.add.mock.calls[0]![1];
    expect(config.data.labels).toEqual(['Total', 'Groceries']);
    expect(config.data.datasets[0].data).toEqual([250000, 40000]);
    expect(config.data.datasets[1].label).toBe('80% interval');
    expect(config.data.datasets[1].data).toEqual([[220000, 290000], [32000, 51000]]);
    const groceries = view.querySelector('[data-forecast=Groceries]')!;
    expect(groceries.textContent).toContain('€400.00 (80% likely between €320.00 and €510.00)');
    const basis = groceries.querySelector('details')!;
    expect(basis.open).toBe(false);
    expect(basis.textContent).toContain('What it rests on');
    expect(basis.textContent).toContain('Forecast by the median of all months');
    expect(basis.textContent).toContain('median month off by €42.10 a month on average over 6 months');
    expect(view.querySelector('[data-forecast=Total]')!.textContent).toContain('€1,200.00 of it known bills');
    // Not enough data: said per item, never a number.
    const gifts = view.querySelector('[data-forecast=Gifts]')!;
    expect(gifts.textContent).toContain('not enough data yet: needs 5 months, you have 2');
    expect(gifts.querySelector('details')).toBeNull();
  });

  it('says "not enough data yet" for the whole forecast and draws nothing', () => {
    const c = charts();
    const view = forecastView(outlook({ not_enough_data: notYet }), c);
    expect(view.textContent).toContain('Not enough data yet: needs 5 months, you have 2');
    expect(c.add).not.toHaveBeenCalled();
  });

  it('keeps only items with a number as bars', () => {
    expect(forecastBars([item('A', 1, 0, 2), item('B', null, null, null)])).toEqual([{ name: 'A', amount: 1, low: 0, high: 2 }]);
    expect(forecastWords(item('B', null, null, null, { not_enough_data: notYet }), 'EUR')).toBe(notYet.message);
  });

  it('adds what is spent so far as a third, thinner series on the dashboard', () => {
    const config = forecastChart([{ name: 'Total', amount: 100, low: 80, high: 120, spent: 40 }], 'EUR', 'Spent so far');
    const widths = config.data.datasets.map((d) => (d as { barPercentage?: number }).barPercentage);
    expect(config.data.datasets.map((d) => d.label)).toEqual(['Forecast', '80% interval', 'Spent so far']);
    expect(config.data.datasets[2]!.data).toEqual([40]);
    expect(new Set(widths).size).toBe(3);
  });
});

describe('balance projection', () => {
  it('draws each account and states its low point with the date', () => {
    const c = charts();
    const days = [
      { date: '2026-11-30', balance: 150000 }, { date: '2026-12-01', balance: 30000 }, { date: '2026-12-02', balance: 29000 },
      { date: '2026-12-03', balance: 329000 },
    ];
    const view = balanceView({
      items: [{
        account_id: 1, name: 'Everyday', currency: 'EUR', balance: 150000, variable_per_day: -1000, days,
        low: days[2]!, known: [{ series_id: 2, name: 'Oakwood', date: '2026-12-01', amount: -120000 }],
      }],
    }, c);
    const card = view.querySelector('[data-balance=Everyday]')!;
    expect(card.querySelector('[data-low]')!.textContent).toBe('Lowest point: €290.00 on Dec 2, 2026');
    expect(card.textContent).toContain('Oakwood -€1,200.00 on Dec 1, 2026');
    const config = c.add.mock.calls[0]![1];
    expect(config.data.datasets[0].data).toEqual([150000, 30000, 29000, 329000]);
    // The low point alone is marked, and named in the legend.
    expect(config.data.datasets[1].data).toEqual([null, null, 29000, null]);
    expect(config.data.datasets[1].label).toBe('Lowest: €290.00 on Dec 2, 2026');
  });

  it('says when nothing falls below today', () => {
    const days = [{ date: '2026-11-30', balance: 5000 }];
    const view = balanceView({ items: [{ account_id: 1, name: 'Savings', currency: 'EUR', balance: 5000, variable_per_day: 0, days, low: days[0]!, known: [] }] }, charts());
    expect(view.querySelector('[data-low]')!.textContent).toContain("today's €50.00");
  });
});

const series = (over: Partial<Schemas['RecurringSeries']> = {}): Schemas['RecurringSeries'] => ({
  id: 4, account_id: 1, amount_kind: 'fixed', cadence: 'monthly', category_id: 12, choice: 'detected', confidence: 0.93,
  currency: 'EUR', direction: 'expense', last_amount: -1799, last_date: '2026-11-12', merchant: 'NETFLIX.COM', name: 'NETFLIX.COM',
  next_amount: -1799, next_date: '2026-12-12', payments: 9, status: 'active', transaction_ids: [1, 2], typical_amount: -1799,
  changes: [{ kind: 'price_change', date: '2026-03-12', from_amount: -1549, to_amount: -1799, last_paid: null,
    message: 'NETFLIX.COM went from 15.49 to 17.99 in March 2026' }],
  ...over,
});

describe('subscriptions', () => {
  it('lists spending series with their price change in words, leaving income out', () => {
    const view = subscriptionsView({ items: [series(), series({ id: 5, name: 'ACME PAYROLL', merchant: 'ACME PAYROLL', direction: 'income', changes: [] })], not_enough_data: null },
      { choose: vi.fn(), rename: vi.fn() });
    expect(view.querySelectorAll('[data-series]').length).toBe(1);
    const netflix = view.querySelector('[data-series="NETFLIX.COM"]')!;
    expect(netflix.querySelector('[data-change=price_change]')!.textContent).toBe('NETFLIX.COM went from 15.49 to 17.99 in March 2026');
    expect(netflix.textContent).toContain('Next €17.99 on Dec 12, 2026');
    expect(netflix.textContent).toContain('monthly');
  });

  it('confirms, dismisses and renames', async () => {
    const choose = vi.fn().mockResolvedValue(undefined);
    const rename = vi.fn().mockResolvedValue(undefined);
    const view = subscriptionsView({ items: [series()], not_enough_data: null }, { choose, rename });
    view.querySelector<HTMLButtonElement>('[aria-label="Confirm NETFLIX.COM"]')!.click();
    expect(choose).toHaveBeenCalledWith(4, 'confirmed');
    view.querySelector<HTMLButtonElement>('[aria-label="Dismiss NETFLIX.COM"]')!.click();
    expect(choose).toHaveBeenCalledWith(4, 'dismissed');
    view.querySelector<HTMLButtonElement>('[aria-label="Rename NETFLIX.COM"]')!.click();
    const form = view.querySelector('form')!;
    form.querySelector('input')!.value = '  Netflix  ';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await vi.waitFor(() => expect(rename).toHaveBeenCalledWith(4, 'Netflix'));
  });

  it('shows a confirmed series without a Confirm button, and a short history as not enough data', () => {
    const view = subscriptionsView({ items: [series({ choice: 'confirmed', name: 'Netflix' })], not_enough_data: null }, { choose: vi.fn(), rename: vi.fn() });
    expect(view.textContent).toContain('confirmed');
    expect(view.textContent).toContain('NETFLIX.COM'); // the merchant beside your name for it
    expect(view.querySelector('[aria-label="Confirm Netflix"]')).toBeNull();
    const empty = subscriptionsView({ items: [], not_enough_data: { needs_months: 3, has_months: 1, message: 'not enough data yet: needs 3 months, you have 1' } },
      { choose: vi.fn(), rename: vi.fn() });
    expect(empty.textContent).toContain('Not enough data yet: needs 3 months, you have 1');
  });
});

describe('budget suggestions', () => {
  const rec = (over: Partial<Schemas['Recommendation']> = {}): Schemas['Recommendation'] => ({
    category_id: 3, name: 'Groceries', currency: 'EUR', amount: 42000, budget_id: null, current_limit: null, left_out: [],
    not_enough_data: null, reason: '80th percentile of the last 6 months (months without spending counted)', ...over,
  });

  it('gives the reason and applies one', () => {
    const apply = vi.fn().mockResolvedValue(undefined);
    const view = recommendationsView({ month: '2026-12', items: [rec()] }, apply);
    const row = view.querySelector('[data-recommendation=Groceries]')!;
    expect(row.textContent).toContain('€420.00 a month');
    expect(row.textContent).toContain('80th percentile of the last 6 months');
    row.querySelector('button')!.click();
    expect(apply).toHaveBeenCalledWith(expect.objectContaining({ category_id: 3 }), '2026-12');
  });

  it('shows an applied one as applied, a different budget as changeable, and too little history without a button', () => {
    const view = recommendationsView({ month: '2026-12', items: [
      rec({ budget_id: 7, current_limit: 42000 }),
      rec({ category_id: 4, name: 'Dining', budget_id: 8, current_limit: 10000 }),
      rec({ category_id: 5, name: 'Gifts', amount: null, reason: '', not_enough_data: { needs_months: 3, has_months: 1, message: 'not enough data yet: needs 3 months, you have 1' } }),
    ] }, vi.fn());
    expect(view.querySelector('[data-recommendation=Groceries] [data-applied]')!.textContent).toContain('Applied');
    expect(view.querySelector('[data-recommendation=Groceries] button')).toBeNull();
    expect(view.querySelector('[data-recommendation=Dining]')!.textContent).toContain('Your budget now: €100.00');
    expect(view.querySelector('[data-recommendation=Dining] button')!.textContent).toBe('Apply to my budget');
    expect(view.querySelector('[data-recommendation=Gifts]')!.textContent).toContain('Not enough data yet: needs 3 months');
    expect(view.querySelector('[data-recommendation=Gifts] button')).toBeNull();
    expect(isApplied(rec({ current_limit: 42000 }))).toBe(true);
  });
});

describe('dashboard: the month against its forecast', () => {
  it('sets what is spent so far beside the whole month\'s forecast, in total and per category', () => {
    const c = charts();
    const nodes = forecastVsActual(outlook({
      month: '2026-11',
      categories: [item('Groceries', 40000, 32000, 51000, { category_id: 3 }), item('Dining', 9000, 6000, 12000, { category_id: 5 })],
      pace: { days_elapsed: 10, days_in_month: 30, total: { name: 'Total', spent: 90000, at_this_pace: 270000 },
        categories: [{ category_id: 3, name: 'Groceries', spent: 15000, at_this_pace: 45000 }] },
    }), 91000, '2026-11', 'EUR', c);
    const box = document.createElement('div');
    box.append(...nodes);
    expect(box.textContent).toContain('Day 10 of 30');
    expect(box.querySelector('[data-forecast-vs-actual=Total]')!.textContent).toContain('€900.00 so far of €2,500.00 (80% likely between €2,200.00 and €2,900.00)');
    expect(box.querySelector('[data-forecast-vs-actual=Groceries]')!.textContent).toContain('€150.00 so far of €400.00');
    // Nothing spent on dining yet.
    expect(box.querySelector('[data-forecast-vs-actual=Dining]')!.textContent).toContain('€0.00 so far of €90.00');
    const config = c.add.mock.calls[0]![1];
    expect(config.data.datasets[2].data).toEqual([90000, 15000, 0]);
  });

  it('shows a past month\'s actual only, and a short history\'s reason', () => {
    const box = document.createElement('div');
    box.append(...forecastVsActual(null, 111399, '2026-10', 'EUR', charts()));
    expect(box.querySelector('[data-actual]')!.textContent).toBe('Spent in October 2026: €1,113.99');
    expect(box.textContent).toContain('the actual only');
    const short = document.createElement('div');
    short.append(...forecastVsActual(outlook({ not_enough_data: notYet }), 5000, '2026-11', 'EUR', charts()));
    expect(short.textContent).toContain('No forecast: not enough data yet: needs 5 months, you have 2.');
  });
});
