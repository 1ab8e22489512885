// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { Schemas } from '../src/api/client';
import { moved, plannerForm, planView } from '../src/pages/debts';

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

type Debt = Schemas['DebtResponse'];
type PlanBody = Schemas['PlanBody'];

const debt = (id: number, name: string): Debt => ({
  id, name, kind: 'credit_card', currency: 'USD', balance: 10_000 * id, apr_bp: 1_999, minimum_kind: 'fixed',
  minimum_amount: 2_500, minimum_percent_bp: null, minimum_payment: 2_500, promo_apr_bp: null, promo_until: null,
  due_day: null, account_id: null, final_month: null, term_months: null,
} as unknown as Debt);

describe('the planner form', () => {
  const setup = () => {
    const sent: PlanBody[] = [];
    const planner = plannerForm('USD', async (body) => { sent.push(body); });
    document.body.replaceChildren(planner.form);
    planner.setDebts([debt(1, 'Visa'), debt(2, 'Car'), debt(3, 'Store card')]);
    const form = planner.form;
    const input = (name: string, i = 0) => form.querySelectorAll<HTMLInputElement | HTMLSelectElement>(`[name=${name}]`)[i]!;
    const click = (label: string) => form.querySelector<HTMLButtonElement>(`[aria-label="${label}"]`)!.click();
    const submit = async () => {
      form.requestSubmit();
      await new Promise((r) => setTimeout(r, 0));
    };
    const order = () => [...form.querySelectorAll('[data-order]')].map((li) => li.getAttribute('data-order'));
    return { planner, form, sent, input, click, submit, order };
  };

  it('sends no order for avalanche and snowball, and shows the order only for your own', async () => {
    const { form, sent, input, submit } = setup();
    const box = form.querySelector('fieldset')!;
    expect(box.hidden).toBe(true);
    input('budget').value = '300';
    await submit();
    expect(sent).toEqual([{ budget: 30_000, strategy: 'avalanche', order: [], extra_payments: [] }]);
    input('strategy').value = 'custom';
    input('strategy').dispatchEvent(new Event('change'));
    expect(box.hidden).toBe(false);
  });

  it('orders the debts with up and down buttons, the ends unmovable past the edge', async () => {
    const { sent, input, click, submit, order, form, planner } = setup();
    expect(order()).toEqual(['Visa', 'Car', 'Store card']);
    expect(form.querySelector<HTMLButtonElement>('[aria-label="Move Visa up"]')!.disabled).toBe(true);
    click('Move Store card up');
    click('Move Visa down');
    expect(order()).toEqual(['Store card', 'Visa', 'Car']);
    input('budget').value = '300';
    input('strategy').value = 'custom';
    await submit();
    expect(sent.at(-1)!.order).toEqual([3, 1, 2]);
    // A debt added later joins at the end; a deleted one leaves; the chosen order stays.
    planner.setDebts([debt(1, 'Visa'), debt(3, 'Store card'), debt(4, 'Loan')]);
    expect(order()).toEqual(['Store card', 'Visa', 'Loan']);
    expect(moved(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moved(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });

  it('sends every extra payment row, skips empty and removed ones, and names a bad one', async () => {
    const { form, sent, input, click, submit } = setup();
    const add = [...form.querySelectorAll('button')].find((b) => b.textContent === 'Add extra payment')!;
    add.click(); add.click(); add.click();
    expect(form.querySelectorAll('[data-extra]').length).toBe(3);
    input('budget').value = '300';
    input('extra_month', 0).value = '2027-06';
    input('extra_amount', 0).value = '1,000.50';
    input('extra_month', 2).value = '2027-12';
    input('extra_amount', 2).value = '250';
    await submit();
    expect(sent.at(-1)!.extra_payments).toEqual([{ month: '2027-06', amount: 100_050 }, { month: '2027-12', amount: 25_000 }]);
    click('Remove extra payment 1');
    expect(form.querySelectorAll('[data-extra]').length).toBe(2);
    await submit();
    expect(sent.at(-1)!.extra_payments).toEqual([{ month: '2027-12', amount: 25_000 }]);
    expect(form.querySelector('[data-extra] label')!.textContent).toBe('Extra payment 1 in');
    input('extra_amount', 0).value = '5';
    await submit();
    expect(sent.length).toBe(2);
    expect(form.querySelector('.form-alert')!.textContent).toContain('Extra payment 1: choose the month.');
  });
});
