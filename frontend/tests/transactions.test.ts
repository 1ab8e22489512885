// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { totalsView } from '../src/pages/transactions';

describe('transaction totals', () => {
  it('shows count, in, out and net per currency', () => {
    const view = totalsView([
      { currency: 'EUR', count: 6, income: 250000, expenses: -111399 },
      { currency: 'USD', count: 1, income: 0, expenses: -1250 },
    ])!;
    const eur = view.querySelector('[data-totals=EUR]')!;
    expect(eur.textContent).toMatch(/^6 transactions/);
    expect(eur.textContent).toContain('2,500.00');
    expect(eur.textContent).toContain('1,113.99');
    // 2,500.00 - 1,113.99
    expect(eur.textContent).toContain('1,386.01');
    expect(view.querySelector('[data-totals=USD]')!.textContent).toMatch(/^1 transactionIn/);
  });

  it('shows nothing for an empty set', () => {
    expect(totalsView([])).toBeNull();
  });
});
