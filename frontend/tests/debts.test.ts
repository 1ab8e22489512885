// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { Schemas } from '../src/api/client';
import { planView } from '../src/pages/debts';

type Plan = Schemas['PlanResponse'];

const plan: Plan = {
  currency: 'USD', start: '2027-01', budget: 30_000,
  totals: { strategy: 'avalanche', total_interest: 1_234, total_paid: 101_234, debt_free: '2027-02', ending: 'debt_free', months: 2 },
  comparison: [
    { strategy: 'snowball', total_interest: 1_500, total_paid: 101_500, debt_free: '2027-02', ending: 'debt_free', months: 2 },
    { strategy: 'minimums_only', total_interest: 9_000, total_paid: 109_000, debt_free: null, ending: 'never_ends', months: 1 },
  ],
  debts: [
    { debt_id: 1, name: 'Visa', balance: 60_000, payoff_month: '2027-02', total_interest: 1_000, total_paid: 61_000, minimum_covers_interest: true,
      schedule: [{ month: '2027-01', payment: 30_000, interest: 1_000, principal: 29_000, balance: 31_000 },
        { month: '2027-02', payment: 31_000, interest: 0, principal: 31_000, balance: 0 }] },
    { debt_id: 2, name: 'Car', balance: 40_000, payoff_month: null, total_interest: 234, total_paid: 40_234, minimum_covers_interest: false,
      schedule: [{ month: '2027-01', payment: 100, interest: 234, principal: -134, balance: 40_134 }] },
  ],
};

describe('the payoff plan', () => {
  const view = planView(plan);

  it('says when the chosen plan ends and what it costs', () => {
    expect(view.querySelector('[data-summary=debt-free]')!.textContent).toBe('Debt-free: February 2027 · interest $12.34');
  });

  it('compares every strategy, the chosen one first', () => {
    const rows = [...view.querySelectorAll('tbody tr[data-strategy]')].map((r) => r.getAttribute('data-strategy'));
    expect(rows).toEqual(['avalanche', 'snowball', 'minimums_only']);
    expect(view.querySelector('[data-strategy=minimums_only]')!.textContent).toContain('Never: payments do not cover the interest');
  });

  it('has each schedule folded away, with negative principal shown as it is', () => {
    const schedules = view.querySelectorAll('details[data-schedule]');
    expect(schedules.length).toBe(2);
    expect(schedules[0]!.querySelector('summary')!.textContent).toBe('Visa: paid off February 2027, interest $10.00');
    expect(schedules[1]!.textContent).toContain('-$1.34');
    expect(schedules[1]!.querySelector('summary')!.textContent).toContain('not within the plan');
  });

  it('warns when a minimum does not cover its interest', () => {
    expect(view.querySelector('.alert-danger')!.textContent).toContain('does not cover its interest');
  });
});
