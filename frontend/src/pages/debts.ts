import { api, call, type Schemas } from '../api/client';
import { ApiProblem } from '../api/problem';
import { amountFrom } from '../api/reference';
import { monthLabel } from '../format/dates';
import { formatMoney, parseMoney } from '../format/money';
import type { Page } from '../router';
import { currentUser } from '../state/session';
import { Charts, chartCanvas } from '../ui/charts';
import { h, replace } from '../ui/dom';
import { emptyState, errorAlert, guarded, loadInto, toast } from '../ui/feedback';
import { field, numberOrNull, onSubmit, submitButton, text, type Option } from '../ui/forms';

type Debt = Schemas['DebtResponse'];
type Plan = Schemas['PlanResponse'];
type Totals = Schemas['PlanTotals'];
type PlanBody = Schemas['PlanBody'];

const KINDS: Option[] = [['credit_card', 'Credit card'], ['loan', 'Loan'], ['mortgage', 'Mortgage'], ['student', 'Student loan'], ['other', 'Other']];
const MINIMUMS: Option[] = [['fixed', 'Fixed amount'], ['percent', 'Percent of balance'], ['installment', 'Installment loan']];
const STRATEGIES: Record<Totals['strategy'], string> = {
  avalanche: 'Avalanche (highest rate first)', snowball: 'Snowball (smallest balance first)',
  custom: 'Your order', minimums_only: 'Minimum payments only',
};
// Okabe–Ito, as the other charts: one colour a debt.
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];

export const debtsPage: Page = ({ root }) => {
  const currency = currentUser().base_currency;
  const charts = new Charts();
  const list = h('div');
  const planArea = h('div', { 'aria-live': 'polite' });
  const reload: () => Promise<void> = loadInto(list, () => call(api.GET('/api/v1/debts')), ({ items }) => {
    planner.setDebts(items);
    return items.length === 0
      ? emptyState('No debts recorded. Add a card or loan to plan paying it off.')
      : h('div', { class: 'list-group' }, items.map((d) => debtRow(d, reload)));
  });

  const form = h('form', { class: 'row g-2 align-items-end', 'aria-label': 'New debt' },
    field({ name: 'name', label: 'Name', required: true, col: 'col-12 col-md-3' }),
    field({ name: 'kind', label: 'Kind', type: 'select', options: KINDS, col: 'col-6 col-md-2' }),
    field({ name: 'balance', label: `Owed (${currency})`, required: true, col: 'col-6 col-md-2', attrs: { inputmode: 'decimal' } }),
    field({ name: 'apr', label: 'APR %', type: 'number', required: true, col: 'col-4 col-md-1', attrs: { min: '0', max: '100', step: '0.01' } }),
    field({ name: 'minimum_kind', label: 'Minimum', type: 'select', options: MINIMUMS, col: 'col-8 col-md-2' }),
    field({ name: 'minimum_amount', label: 'Minimum or floor', col: 'col-6 col-md-2', attrs: { inputmode: 'decimal' } }),
    field({ name: 'minimum_percent', label: 'Minimum %', type: 'number', col: 'col-6 col-md-2', attrs: { min: '0.01', max: '100', step: '0.01' } }),
    field({ name: 'final_month', label: 'Last payment (installments)', type: 'month', col: 'col-12 col-md-3' }),
    h('div', { class: 'col-12 col-md-2 mb-3 d-grid' }, submitButton('Add debt')));
  onSubmit(form, async (data) => {
    const percent = numberOrNull(data, 'minimum_percent');
    await call(api.POST('/api/v1/debts', {
      body: {
        name: text(data, 'name') ?? '',
        kind: data.get('kind') as Debt['kind'],
        balance: amountFrom(data, 'balance', currency),
        apr_bp: Math.round((numberOrNull(data, 'apr') ?? 0) * 100),
        minimum_kind: data.get('minimum_kind') as Debt['minimum_kind'],
        minimum_amount: amountFrom(data, 'minimum_amount', currency, { optional: true }),
        minimum_percent_bp: percent === null ? null : Math.round(percent * 100),
        final_month: text(data, 'final_month'),
      },
    }));
    form.reset();
    toast('Debt added');
    await reload();
  });

  const planner = plannerForm(currency, (body) => call(api.POST('/api/v1/debts/plan', { body })).then((plan) => {
    charts.destroy();
    replace(planArea, planView(plan, charts));
  }));

  root.append(
    h('h1', { class: 'h3 mb-3' }, 'Debts'),
    h('section', { class: 'card mb-4' }, h('div', { class: 'card-body' }, h('h2', { class: 'h6 card-title' }, 'Add a debt'), form)),
    list,
    h('section', { class: 'card my-4' }, h('div', { class: 'card-body' },
      h('h2', { class: 'h6 card-title' }, 'Plan the payoff'), planner.form, planArea)));
  return () => charts.destroy();
};

/** Moves the item at `index` by `step` places, within the list. */
export function moved<T>(items: readonly T[], index: number, step: number): T[] {
  const to = Math.min(items.length - 1, Math.max(0, index + step));
  const copy = [...items];
  const [item] = copy.splice(index, 1);
  if (item !== undefined) copy.splice(to, 0, item);
  return copy;
}

/** The planner's one-off extra payments, one a row; a row left empty is skipped. */
export function extraPayments(data: FormData, currency: string): PlanBody['extra_payments'] {
  const months = data.getAll('extra_month').map(String);
  const amounts = data.getAll('extra_amount').map(String);
  const payments: NonNullable<PlanBody['extra_payments']> = [];
  const errors: { field: string; message: string }[] = [];
  months.forEach((month, i) => {
    const raw = (amounts[i] ?? '').trim();
    if (month === '' && raw === '') return;
    const amount = parseMoney(raw, currency);
    if (month === '') errors.push({ field: `extra_payments[${i}].month`, message: `Extra payment ${i + 1}: choose the month.` });
    if (amount === null || amount <= 0) errors.push({ field: `extra_payments[${i}].amount`, message: `Extra payment ${i + 1}: enter an amount such as 250.00 (${currency}).` });
    else if (month !== '') payments.push({ month, amount });
  });
  if (errors.length > 0) throw new ApiProblem(422, 'Please correct the extra payments.', errors);
  return payments;
}

/**
 * The planner: budget and strategy; with "your order", the debts listed to put in order with
 * up and down buttons; any number of one-off extra payments as rows of month and amount.
 */
export function plannerForm(currency: string, plan: (body: PlanBody) => Promise<void>): { form: HTMLFormElement; setDebts: (debts: Debt[]) => void } {
  let order: Debt[] = [];
  const orderList = h('ol', { class: 'list-group list-group-numbered mb-3', 'aria-label': 'Order to pay off' });
  const renderOrder = () => {
    replace(orderList, order.map((d, i) => h('li', { class: 'list-group-item d-flex align-items-center gap-2', 'data-order': d.name },
      h('span', { class: 'me-auto text-truncate' }, d.name),
      h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', 'aria-label': `Move ${d.name} up`, disabled: i === 0,
        onclick: () => { order = moved(order, i, -1); renderOrder(); } }, '↑'),
      h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', 'aria-label': `Move ${d.name} down`, disabled: i === order.length - 1,
        onclick: () => { order = moved(order, i, 1); renderOrder(); } }, '↓'))));
  };
  const orderBox = h('fieldset', { class: 'col-12', hidden: true },
    h('legend', { class: 'form-label fs-6' }, 'Your order: first paid off first'), orderList);
  const strategy = field({ name: 'strategy', label: 'Strategy', type: 'select', col: 'col-12 col-md-4',
    options: [['avalanche', STRATEGIES.avalanche], ['snowball', STRATEGIES.snowball], ['custom', STRATEGIES.custom]] });
  strategy.querySelector('select')!.addEventListener('change', (event) => {
    orderBox.hidden = (event.target as HTMLSelectElement).value !== 'custom';
  });
  const extras = h('div', { class: 'vstack gap-2 mb-2' });
  // Rows are numbered by place, as errors name them, so removing one renumbers the rest.
  const renumber = () => [...extras.children].forEach((row, i) => {
    const [month, amount] = row.querySelectorAll('label');
    month!.textContent = `Extra payment ${i + 1} in`;
    amount!.textContent = `Extra amount ${i + 1}`;
    row.querySelector('button')!.setAttribute('aria-label', `Remove extra payment ${i + 1}`);
  });
  const addExtra = () => {
    const row: HTMLElement = h('div', { class: 'row g-2 align-items-end', 'data-extra': '' },
      field({ name: 'extra_month', label: '', type: 'month', col: 'col-5 col-md-3' }),
      field({ name: 'extra_amount', label: '', col: 'col-4 col-md-3', attrs: { inputmode: 'decimal' } }),
      h('div', { class: 'col-3 col-md-2 mb-3 d-grid' }, h('button', { type: 'button', class: 'btn btn-outline-danger',
        onclick: () => { row.remove(); renumber(); } }, 'Remove')));
    extras.append(row);
    renumber();
  };
  const form = h('form', { class: 'row g-2 align-items-end', 'aria-label': 'Payoff plan' },
    field({ name: 'budget', label: `Monthly budget (${currency})`, required: true, col: 'col-12 col-md-4', attrs: { inputmode: 'decimal' } }),
    strategy,
    h('div', { class: 'col-12 col-md-4 mb-3 d-grid' }, submitButton('Plan')),
    orderBox,
    h('fieldset', { class: 'col-12' },
      h('legend', { class: 'form-label fs-6' }, 'One-off extra payments'),
      extras,
      h('button', { type: 'button', class: 'btn btn-sm btn-outline-primary', onclick: addExtra }, 'Add extra payment')));
  onSubmit(form, async (data) => {
    const chosen = data.get('strategy') as PlanBody['strategy'];
    await plan({
      budget: amountFrom(data, 'budget', currency) ?? 0,
      strategy: chosen,
      order: chosen === 'custom' ? order.map((d) => d.id) : [],
      extra_payments: extraPayments(data, currency),
    });
  });
  // Debts added since keep the order chosen so far and join at the end; deleted ones leave it.
  const setDebts = (debts: Debt[]) => {
    order = [...order.filter((d) => debts.some((c) => c.id === d.id)), ...debts.filter((c) => !order.some((d) => d.id === c.id))];
    renderOrder();
  };
  return { form, setDebts };
}

function debtRow(debt: Debt, reload: () => Promise<void>): HTMLElement {
  const remove = guarded(async () => {
    if (!confirm(`Delete the debt “${debt.name}”?`)) return;
    await call(api.DELETE('/api/v1/debts/{id}', { params: { path: { id: debt.id } } }));
    toast('Debt deleted');
    await reload();
  });
  return h('div', { class: 'list-group-item d-flex flex-wrap align-items-center gap-2', 'data-debt': debt.name },
    h('div', { class: 'me-auto' },
      h('div', { class: 'fw-semibold' }, debt.name),
      h('div', { class: 'small text-secondary' }, `${KINDS.find(([k]) => k === debt.kind)?.[1] ?? debt.kind} · ${(debt.apr_bp / 100).toFixed(2)}% APR`,
        debt.minimum_payment !== null && debt.minimum_payment !== undefined ? ` · minimum ${formatMoney(debt.minimum_payment, debt.currency)}` : '')),
    h('div', { class: 'amount fs-5' }, formatMoney(debt.balance, debt.currency)),
    h('button', { type: 'button', class: 'btn btn-sm btn-outline-danger', onclick: remove }, 'Delete'));
}

function endsIn(t: Totals): string {
  if (t.debt_free) return monthLabel(t.debt_free);
  return t.ending === 'never_ends' ? 'Never: payments do not cover the interest' : 'Not within 50 years';
}

/** The plan: its totals, the strategies side by side, the balances chart and each schedule. */
export function planView(plan: Plan, charts?: Charts): HTMLElement {
  const money = (minor: number) => formatMoney(minor, plan.currency);
  const rows = [plan.totals, ...plan.comparison];
  const table = h('table', { class: 'table table-sm align-middle mb-0', 'aria-label': 'Strategies compared' },
    h('thead', null, h('tr', null, ['Strategy', 'Interest', 'Total paid', 'Debt-free'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, rows.map((t, i) => h('tr', { class: i === 0 ? 'table-primary' : '', 'data-strategy': t.strategy },
      h('td', null, STRATEGIES[t.strategy]), h('td', { class: 'amount' }, money(t.total_interest)),
      h('td', { class: 'amount' }, money(t.total_paid)), h('td', null, endsIn(t))))));
  const chart = charts ? chartCanvas('Balance of each debt by month, stacked') : null;
  if (chart && charts) {
    const months = plan.debts.reduce((n, d) => Math.max(n, d.schedule.length), 0);
    const labels = plan.debts.find((d) => d.schedule.length === months)?.schedule.map((r) => r.month) ?? [];
    charts.add(chart.canvas, {
      type: 'line',
      data: {
        labels: labels.map((m) => monthLabel(m, undefined, 'short')),
        datasets: plan.debts.map((d, i) => ({
          label: d.name, fill: true, pointRadius: 0, borderWidth: 1,
          borderColor: COLOURS[i % COLOURS.length], backgroundColor: `${COLOURS[i % COLOURS.length]}66`,
          data: labels.map((_, m) => d.schedule[m]?.balance ?? 0),
        })),
      },
      options: { maintainAspectRatio: false, interaction: { mode: 'index', intersect: false },
        scales: { y: { stacked: true, ticks: { callback: (v: string | number) => formatMoney(Math.round(Number(v)), plan.currency, { compact: true }) } },
          x: { ticks: { maxTicksLimit: 10 } } },
        plugins: { legend: { position: 'bottom' } } },
    });
  }
  return h('div', { class: 'mt-3' },
    h('p', { class: 'fs-5', 'data-summary': 'debt-free' }, `Debt-free: ${endsIn(plan.totals)} · interest ${money(plan.totals.total_interest)}`),
    plan.debts.some((d) => !d.minimum_covers_interest) && errorAlert(new Error('A minimum payment does not cover its interest: that debt grows.')),
    h('div', { class: 'table-responsive mb-3' }, table),
    chart?.box,
    plan.debts.map((d) => h('details', { class: 'mt-2', 'data-schedule': d.name },
      h('summary', null, `${d.name}: paid off ${d.payoff_month ? monthLabel(d.payoff_month) : 'not within the plan'}, interest ${money(d.total_interest)}`),
      h('div', { class: 'table-responsive' }, h('table', { class: 'table table-sm mb-0' },
        h('thead', null, h('tr', null, ['Month', 'Payment', 'Interest', 'Principal', 'Balance'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, d.schedule.map((r) => h('tr', null, h('td', null, r.month),
          [r.payment, r.interest, r.principal, r.balance].map((v) => h('td', { class: 'amount' }, money(v)))))))))));
}
