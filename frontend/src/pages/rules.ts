import { api, call, type Schemas } from '../api/client';
import { accountOptions, amountFrom, categoryOptions, fetchAccounts, fetchCategories, type Account, type Category } from '../api/reference';
import { formatMoney, toDecimalString } from '../format/money';
import type { Page } from '../router';
import { currentUser } from '../state/session';
import { h, replace } from '../ui/dom';
import { emptyState, guarded, loadInto, toast } from '../ui/feedback';
import { field, numberOrNull, onSubmit, submitButton, text, type Option } from '../ui/forms';

type Rule = Schemas['RuleResponse'];
type RuleBody = Schemas['RuleRequest'];
type Transaction = Schemas['TransactionResponse'];

/**
 * The rule a transaction suggests: its merchant key (else merchant, else description) to its
 * category, else to the categorizer's suggestion; no category when it has neither.
 */
export function ruleDraft(t: Transaction): Partial<RuleBody> {
  const pattern = t.merchant_key || t.merchant?.trim() || t.description.trim();
  const category = t.category_id ?? t.suggested_category_id ?? undefined;
  return { name: t.merchant_name ?? pattern, match_kind: 'contains', pattern, ...(category == null ? {} : { category_id: category }) };
}

/** What the live count under a rule form says. */
export function matchSummary(preview: Schemas['Preview']): string {
  if (preview.matches === 0) return 'Matches none of your transactions yet.';
  const uncategorized = preview.uncategorized > 0 ? ` (${preview.uncategorized} uncategorized)` : '';
  return `Matches ${preview.matches} of your transactions${uncategorized}, e.g. ${preview.examples.map((e) => `“${e}”`).join(', ')}.`;
}

const MATCH: Option[] = [['contains', 'contains'], ['equals', 'is exactly'], ['regex', 'matches the regular expression']];

export const rulesPage: Page = ({ root }) => {
  const body = h('div');
  const reload: () => Promise<void> = loadInto(body, () => Promise.all([
    call(api.GET('/api/v1/rules')).then((l) => l.items), fetchCategories(), fetchAccounts(),
  ]), ([rules, categories, accounts]) => [
    h('section', { class: 'card mb-4' }, h('div', { class: 'card-body' },
      h('h2', { class: 'h6 card-title' }, 'Add a rule'),
      h('p', { class: 'small text-secondary' }, 'Rules file new and imported transactions by their description. They are tried in order of priority (lower first); the first match wins.'),
      ruleForm(categories, accounts, null, reload, null))),
    rules.length === 0 ? emptyState('No rules yet. You can also make one from a transaction on the Transactions page.')
      : h('div', { class: 'list-group' }, rules.map((r) => ruleRow(r, categories, accounts, reload))),
  ]);
  const apply = guarded(async () => {
    const result = await call(api.POST('/api/v1/rules/apply', { body: { only_uncategorized: true } }));
    toast(`${result.updated} uncategorized transaction(s) filed by your rules`);
  });
  root.append(
    h('div', { class: 'd-flex flex-wrap justify-content-between align-items-center gap-2 mb-3' },
      h('h1', { class: 'h3 mb-0' }, 'Rules'),
      h('button', { type: 'button', class: 'btn btn-outline-primary', onclick: apply }, 'Apply to uncategorized transactions')),
    body);
};

/**
 * Adding and editing a rule: one form, filled from `existing` when editing (else from `draft`),
 * with a live count of the transactions it would match.
 */
export function ruleForm(categories: Category[], accounts: Account[], existing: Rule | null, saved: () => Promise<void>, cancel: (() => void) | null, draft: Partial<RuleBody> = {}): HTMLFormElement {
  const start = existing ?? draft;
  // Amount bounds are entered in the base currency's units; a rule for one account uses its currency.
  const currency = accounts.find((a) => a.id === existing?.account_id)?.currency ?? currentUser().base_currency;
  const bound = (v: number | null | undefined) => (v == null ? '' : toDecimalString(v, currency));
  const form = h('form', { class: 'row g-2 align-items-end', 'aria-label': existing ? `Edit rule ${existing.name}` : 'New rule' },
    field({ name: 'name', label: 'Name', required: true, value: start.name ?? '', col: 'col-12 col-md-3' }),
    field({ name: 'match_kind', label: 'Description', type: 'select', options: MATCH, value: start.match_kind ?? 'contains', col: 'col-6 col-md-3' }),
    field({ name: 'pattern', label: 'Text', required: true, value: start.pattern ?? '', col: 'col-6 col-md-3', attrs: { placeholder: 'rewe' } }),
    // No category is picked for the user: the first in the list is rarely the right one.
    field({ name: 'category_id', label: 'File under', type: 'select', required: true, options: [['', 'Choose a category'], ...categoryOptions(categories)], value: String(start.category_id ?? ''), col: 'col-12 col-md-3' }),
    field({ name: 'account_id', label: 'Only for account', type: 'select', options: [['', 'any account'], ...accountOptions(accounts)], value: String(existing?.account_id ?? ''), col: 'col-12 col-md-3' }),
    field({ name: 'min_amount', label: 'Amount from', value: bound(existing?.min_amount), col: 'col-6 col-md-2', attrs: { inputmode: 'decimal', placeholder: 'e.g. -100' } }),
    field({ name: 'max_amount', label: 'Amount to', value: bound(existing?.max_amount), col: 'col-6 col-md-2', attrs: { inputmode: 'decimal', placeholder: 'e.g. 0' } }),
    field({ name: 'priority', label: 'Priority', type: 'number', value: String(existing?.priority ?? 100), col: 'col-6 col-md-2' }),
    h('div', { class: 'col-6 col-md-3 mb-3 d-flex gap-2' }, submitButton(existing ? 'Save' : 'Add rule'),
      cancel && h('button', { type: 'button', class: 'btn btn-outline-secondary', onclick: cancel }, 'Cancel')));
  const count = h('p', { class: 'col-12 small text-secondary mb-0', 'aria-live': 'polite', 'data-rule-count': '' });
  form.append(count);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  const recount = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const data = new FormData(form);
      const pattern = String(data.get('pattern') ?? '');
      if (pattern.trim() === '') {
        count.textContent = '';
        return;
      }
      const mine = ++asked;
      const body = {
        match_kind: data.get('match_kind') as Rule['match_kind'], pattern,
        account_id: numberOrNull(data, 'account_id'),
        ...bounds(data),
      };
      call(api.POST('/api/v1/rules/preview', { body })).then((preview) => {
        if (mine === asked) count.textContent = matchSummary(preview);
      }, () => {
        if (mine === asked) count.textContent = 'The rule cannot match anything as written.';
      });
    }, 250);
  };
  // Bounds that do not parse yet leave the count unnarrowed rather than failing it.
  const bounds = (data: FormData) => {
    const read = (name: string) => {
      try {
        return amountFrom(data, name, currency, { optional: true });
      } catch {
        return null;
      }
    };
    return { min_amount: read('min_amount'), max_amount: read('max_amount') };
  };
  form.addEventListener('input', recount);
  form.addEventListener('change', recount);
  recount();
  onSubmit(form, async (data) => {
    const body = {
      name: text(data, 'name') ?? '',
      match_kind: data.get('match_kind') as Rule['match_kind'],
      pattern: text(data, 'pattern') ?? '',
      category_id: numberOrNull(data, 'category_id') ?? 0,
      account_id: numberOrNull(data, 'account_id'),
      min_amount: amountFrom(data, 'min_amount', currency, { optional: true }),
      max_amount: amountFrom(data, 'max_amount', currency, { optional: true }),
      priority: numberOrNull(data, 'priority'),
    };
    if (existing) await call(api.PUT('/api/v1/rules/{id}', { params: { path: { id: existing.id } }, body }));
    else await call(api.POST('/api/v1/rules', { body }));
    toast(existing ? 'Rule saved' : 'Rule added');
    await saved();
  });
  return form;
}

function ruleRow(rule: Rule, categories: Category[], accounts: Account[], reload: () => Promise<void>): HTMLElement {
  const slot = h('div');
  const category = categories.find((c) => c.id === rule.category_id);
  const account = accounts.find((a) => a.id === rule.account_id);
  const currency = account?.currency ?? currentUser().base_currency;
  const remove = async () => {
    if (!confirm(`Delete the rule “${rule.name}”?`)) return;
    await call(api.DELETE('/api/v1/rules/{id}', { params: { path: { id: rule.id } } }));
    toast('Rule deleted');
    await reload();
  };
  const conditions = [
    `description ${MATCH.find(([k]) => k === rule.match_kind)?.[1]} “${rule.pattern}”`,
    account && `in ${account.name}`,
    rule.min_amount != null && `from ${formatMoney(rule.min_amount, currency)}`,
    rule.max_amount != null && `up to ${formatMoney(rule.max_amount, currency)}`,
  ].filter(Boolean).join(', ');
  return h('div', { class: 'list-group-item' },
    h('div', { class: 'd-flex flex-wrap align-items-center gap-2' },
      h('span', { class: 'badge text-bg-light border', title: 'Priority' }, rule.priority),
      h('div', { class: 'me-auto' },
        h('div', { class: 'fw-semibold' }, rule.name),
        h('div', { class: 'small text-secondary' }, `When ${conditions} → `,
          category && h('span', { class: 'swatch me-1', style: `background:${category.color}` }), category?.name ?? '?')),
      h('div', { class: 'btn-group btn-group-sm' },
        h('button', { type: 'button', class: 'btn btn-outline-secondary', onclick: () => replace(slot, h('div', { class: 'mt-2' }, ruleForm(categories, accounts, rule, reload, () => replace(slot)))) }, 'Edit'),
        h('button', { type: 'button', class: 'btn btn-outline-danger', onclick: guarded(remove) }, 'Delete'))),
    slot);
}
