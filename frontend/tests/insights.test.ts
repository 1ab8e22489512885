// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { anomaliesView, billsView, insightLinks, insightsView, topInsightsView } from '../src/pages/insights';

const insight = {
  id: 5, kind: 'category_change' as const, severity: 'medium' as const, period: '2026-10',
  message: 'Groceries: 600.00 in October, up 100% from 300.00 in September',
  figures: [{ name: 'spent', amount: -60000, currency: 'USD' }], change_percent: 100,
  category_id: 3, series_id: null, account_id: null, anomaly_id: null, budget_id: null, transaction_ids: [], dismissed: false,
};
const anomaly = {
  id: 17, kind: 'unusual_amount' as const, severity: 'high' as const, date: '2026-11-21', amount: -22500,
  currency: 'USD', usual_amount: -4500, times_usual: 5, based_on: 20,
  message: '225.00 at Green Grocer is 5.0 times its usual 45.00 (median of 20 payments)',
  merchant: 'Green Grocer', category_id: 2, series_id: null, transaction_ids: [9], dismissed: false,
};

describe('insights page', () => {
  it('lists insights with their sentence and dismisses one', () => {
    const dismiss = vi.fn().mockResolvedValue(undefined);
    const view = insightsView({ items: [insight], not_enough_data: [] }, dismiss);
    const item = view.querySelector('[data-insight=category_change]')!;
    expect(item.textContent).toContain('up 100% from 300.00');
    expect(item.textContent).toContain('medium');
    item.querySelector('button')!.click();
    expect(dismiss).toHaveBeenCalledWith(5);
  });

  it('links a budget overspend to its budget and its category\'s transactions of the month', () => {
    const over = {
      ...insight, id: 8, kind: 'budget_overspend' as const, severity: 'high' as const, period: '2026-11', budget_id: 4,
      message: 'Dining: on course for 540.00 in November against a budget of 400.00, 140.00 (35%) over; 80% likely between 480.00 and 600.00, 300.00 spent so far',
    };
    const view = insightsView({ items: [over], not_enough_data: [] }, vi.fn());
    const links = [...view.querySelectorAll('[data-insight=budget_overspend] a')].map((a) => [a.textContent, a.getAttribute('href')]);
    expect(links).toEqual([['Budget', '/budgets?month=2026-11'], ['Transactions', '/transactions?category_id=3&month=2026-11']]);
    expect(insightLinks({ ...insight, category_id: null })).toEqual([]);
  });

  it('says which kinds need more data', () => {
    const view = insightsView({
      items: [],
      not_enough_data: [{ kind: 'savings_rate', needs_months: 2, has_months: 0, message: 'not enough data yet: needs 2 months, you have 0' }],
    }, vi.fn());
    expect(view.textContent).toContain('Nothing to point out');
    expect(view.textContent).toContain('savings rate: not enough data yet: needs 2 months, you have 0');
  });

  it('shows an anomaly with its reason and marks it fine', () => {
    const fine = vi.fn().mockResolvedValue(undefined);
    const view = anomaliesView({ from: '2026-09-01', to: '2026-11-29', items: [anomaly], silenced: 2, not_enough_data: null }, fine);
    const item = view.querySelector('[data-anomaly=unusual_amount]')!;
    expect(item.textContent).toContain('5.0 times its usual 45.00');
    expect(view.textContent).toContain('2 similar to ones you marked fine');
    const button = item.querySelector('button')!;
    expect(button.textContent).toBe('This is fine');
    button.click();
    expect(fine).toHaveBeenCalledWith(17);
  });

  it('lists upcoming bills with their total', () => {
    const view = billsView({
      from: '2026-11-29', to: '2026-12-29', not_enough_data: null,
      items: [{ series_id: 4, name: 'Netflix', category_id: null, date: '2026-12-12', amount: -1799, currency: 'USD', overdue: false, confidence: 0.9 }],
      totals: [{ currency: 'USD', amount: -1799 }],
    });
    expect(view.textContent).toContain('Netflix');
    expect(view.textContent).toContain('17.99');
    expect(view.textContent).toContain('Total:');
  });

  it('shows the top few on the dashboard with a link to the rest', () => {
    const many = [1, 2, 3, 4].map((id) => ({ ...insight, id, message: `insight ${id}` }));
    const card = topInsightsView({ items: many, not_enough_data: [] });
    expect(card.querySelectorAll('[data-insight]').length).toBe(3);
    expect(card.textContent).not.toContain('insight 4');
    expect(card.querySelector('a')!.getAttribute('href')).toBe('/insights');
    expect(topInsightsView({ items: [], not_enough_data: [] }).textContent).toContain('Nothing to point out');
  });
});
