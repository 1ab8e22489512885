import { api, call, type Schemas } from '../api/client';
import { amountFrom, categoryOptions, fetchCategories, type Category } from '../api/reference';
import { monthLabel } from '../format/dates';
import { formatMoney, toDecimalString } from '../format/money';
import type { Page } from '../router';
import { askedPeriod, fallbackNote, writePeriod } from '../state/period';
import { currentUser } from '../state/session';
import { budgetBar } from '../ui/budget-bar';
import { h, replace } from '../ui/dom';
import { emptyState, guarded, loadInto, toast } from '../ui/feedback';
import { field, numberOrNull, onSubmit, submitButton } from '../ui/forms';
import { periodPicker } from '../ui/period-picker';

type Budget = Schemas['BudgetResponse'];
type BudgetMonth = Schemas['BudgetMonth'];

export const budgetsPage: Page = ({ root, query, setQuery }) => {
  const asked = askedPeriod(query);
  // Unasked, the server picks the month: the latest with data when this one has none.
  let month: string | null = asked && (asked.kind === 'month' ? asked.month : `${asked.year}-01`);
  const body = h('div');
  const pickerSlot = h('div');
  const showPicker = (shown: string) => replace(pickerSlot, periodPicker({ kind: 'month', month: shown }, (next) => {
    if (next.kind !== 'month') return;
    month = next.month;
    setQuery(writePeriod(query, next));
    void reload();
  }, { allowYear: false }));

  const reload: () => Promise<void> = loadInto(body, () => Promise.all([
    call(api.GET('/api/v1/budgets', { params: { query: month ? { month } : {} } })),
    call(api.GET('/api/v1/budgets/limits')).then((l) => l.items),
    fetchCategories(),
  ]), ([status, budgets, categories]) => {
    if (!month) {
      month = status.month;
      showPicker(month);
    }
    const note = fallbackNote(status.fell_back_from, status.month);
    return [note && h('div', { class: 'alert alert-secondary py-2 small' }, note), ...render(month, status, budgets, categories, reload)];
  });
  if (month) showPicker(month);

  root.append(
    h('div', { class: 'd-flex flex-wrap justify-content-between align-items-center gap-2 mb-3' },
      h('h1', { class: 'h3 mb-0' }, 'Budgets'), pickerSlot),
    body);
};

function render(month: string, status: BudgetMonth, budgets: Budget[], categories: Category[], reload: () => Promise<void>): Node[] {
  const all = [...(status.overall ? [status.overall] : []), ...status.items];
  const nameOf = (b: Budget) => b.category_id == null ? 'All spending' : categories.find((c) => c.id === b.category_id)?.name ?? 'Category';
  return [
    h('div', { class: 'row g-3' },
      h('section', { class: 'col-lg-7' }, h('div', { class: 'card' }, h('div', { class: 'card-body' },
        h('h2', { class: 'h6 card-title mb-3' }, monthLabel(month)),
        all.length === 0 ? emptyState('No budgets for this month yet. Set one to see how your spending compares.')
          : all.map((s) => budgetBar(s, status.currency))))),
      h('section', { class: 'col-lg-5' }, h('div', { class: 'card h-100' }, h('div', { class: 'card-body' },
        h('h2', { class: 'h6 card-title' }, 'Set a monthly budget'),
        budgetForm(month, budgets, categories, reload))))),
    budgets.length > 0 && h('section', { class: 'mt-4' },
      h('h2', { class: 'h5' }, 'Your budgets'),
      h('div', { class: 'list-group' }, budgets.map((b) => budgetRow(b, nameOf(b), month, reload)))),
  ].filter((n): n is HTMLElement => n instanceof HTMLElement);
}

function budgetForm(month: string, budgets: Budget[], categories: Category[], reload: () => Promise<void>): HTMLElement {
  const currency = currentUser().base_currency;
  const taken = new Set(budgets.map((b) => String(b.category_id ?? '')));
  const choices = [['', 'All spending (overall)'] as [string, string], ...categoryOptions(categories, 'expense')]
    .filter(([value]) => !taken.has(value));
  if (choices.length === 0) return h('p', { class: 'text-secondary' }, 'Every expense category has a budget.');
  const form = h('form', { 'aria-label': 'Set a monthly budget' },
    field({ name: 'category_id', label: 'Category', type: 'select', options: choices, value: choices.find(([v]) => v !== '')?.[0] }),
    field({ name: 'amount', label: `Monthly limit (${currency})`, required: true, attrs: { inputmode: 'decimal', placeholder: '400.00' } }),
    field({ name: 'starts', label: 'From month', type: 'month', value: month, required: true }),
    field({ name: 'rollover', label: 'Carry unspent money (or overspending) into the next month', type: 'checkbox' }),
    submitButton('Set budget'));
  onSubmit(form, async (data) => {
    await call(api.POST('/api/v1/budgets', {
      body: {
        category_id: numberOrNull(data, 'category_id'),
        amount: amountFrom(data, 'amount', currency) ?? 0,
        starts: String(data.get('starts')),
        rollover: data.has('rollover'),
      },
    }));
    toast('Budget set');
    await reload();
  });
  return form;
}

/** One budget as set, with its changes: the recurring limit and rollover, one month's own limit, delete. */
function budgetRow(budget: Budget, name: string, month: string, reload: () => Promise<void>): HTMLElement {
  const { currency } = budget;
  const override = budget.overrides.find((o) => o.month === month);
  const editor = h('div');
  const edit = () => {
    const form = h('form', { class: 'row g-2 align-items-end mt-2', 'aria-label': `Change the ${name} budget` },
      field({ name: 'amount', label: 'Monthly limit', required: true, value: toDecimalString(budget.amount, currency), col: 'col-6 col-md-3', attrs: { inputmode: 'decimal' } }),
      field({ name: 'month_amount', label: `Only in ${monthLabel(month)}`, value: override ? toDecimalString(override.amount, currency) : '', col: 'col-6 col-md-3',
        attrs: { inputmode: 'decimal', placeholder: 'same as usual' } }),
      field({ name: 'rollover', label: 'Rollover', type: 'checkbox', value: budget.rollover, col: 'col-6 col-md-2' }),
      h('div', { class: 'col-6 col-md-4 mb-3 d-flex gap-2' }, submitButton('Save'),
        h('button', { type: 'button', class: 'btn btn-outline-secondary', onclick: () => replace(editor) }, 'Cancel')));
    onSubmit(form, async (data) => {
      await call(api.PATCH('/api/v1/budgets/{id}', { params: { path: { id: budget.id } }, body: { amount: amountFrom(data, 'amount', currency), rollover: data.has('rollover') } }));
      const monthAmount = amountFrom(data, 'month_amount', currency, { optional: true });
      const path = { id: budget.id, month };
      if (monthAmount !== null) await call(api.PUT('/api/v1/budgets/{id}/months/{month}', { params: { path }, body: { amount: monthAmount } }));
      else if (override) await call(api.DELETE('/api/v1/budgets/{id}/months/{month}', { params: { path } }));
      toast('Budget saved');
      await reload();
    });
    replace(editor, form);
  };
  const remove = async () => {
    if (!confirm(`Delete the ${name} budget?`)) return;
    await call(api.DELETE('/api/v1/budgets/{id}', { params: { path: { id: budget.id } } }));
    toast('Budget deleted');
    await reload();
  };
  return h('div', { class: 'list-group-item' },
    h('div', { class: 'd-flex flex-wrap align-items-center gap-2' },
      h('div', { class: 'me-auto' },
        h('div', { class: 'fw-semibold' }, name),
        h('div', { class: 'small text-secondary' },
          `${formatMoney(budget.amount, currency)} a month from ${monthLabel(budget.starts)}`,
          budget.rollover && ' · rollover',
          budget.overrides.length > 0 && ` · ${budget.overrides.map((o) => `${monthLabel(o.month, undefined, 'short')}: ${formatMoney(o.amount, currency)}`).join(', ')}`)),
      h('div', { class: 'btn-group btn-group-sm' },
        h('button', { type: 'button', class: 'btn btn-outline-secondary', onclick: edit }, 'Change'),
        h('button', { type: 'button', class: 'btn btn-outline-danger', onclick: guarded(remove) }, 'Delete'))),
    editor);
}
