import { api, call, type Schemas } from '../api/client';
import { accountOptions, amountFrom, categoryOptions, type Account, type Category } from '../api/reference';
import { today } from '../format/dates';
import { toDecimalString } from '../format/money';
import { lastAccount, rememberAccount } from '../state/last-account';
import { h } from '../ui/dom';
import { field, numberOrNull, onSubmit, submitButton, text } from '../ui/forms';

type Transaction = Schemas['TransactionResponse'];

/** Adding and editing a transaction: one form, filled from `existing` when editing. */
export function transactionForm(
  accounts: Account[],
  categories: Category[],
  existing: Transaction | null,
  done: () => Promise<void>,
  cancel: () => void,
): HTMLElement {
  const accountId = existing?.account_id ?? lastAccount(accounts);
  const currencyOf = (id: number | null) => accounts.find((a) => a.id === id)?.currency ?? 'XXX';
  const form = h('form', { class: 'row g-2', 'aria-label': existing ? 'Edit transaction' : 'New transaction' },
    field({ name: 'date', label: 'Date', type: 'date', required: true, value: existing?.date ?? today(), col: 'col-6 col-md-3' }),
    field({ name: 'account_id', label: 'Account', type: 'select', required: true, options: accountOptions(accounts), value: String(accountId ?? ''), col: 'col-6 col-md-3' }),
    field({ name: 'flow', label: 'Type', type: 'select', options: [['out', 'Money out'], ['in', 'Money in']], value: existing && existing.amount > 0 ? 'in' : 'out', col: 'col-6 col-md-3' }),
    field({ name: 'amount', label: 'Amount', required: true, col: 'col-6 col-md-3', attrs: { inputmode: 'decimal', placeholder: '0.00' },
      value: existing ? toDecimalString(Math.abs(existing.amount), existing.currency) : '' }),
    field({ name: 'description', label: 'Description', required: true, value: existing?.description ?? '', col: 'col-12 col-md-6' }),
    field({ name: 'category_id', label: 'Category', type: 'select', options: [['', 'Uncategorized'], ...categoryOptions(categories)],
      value: existing?.category_id == null ? '' : String(existing.category_id), col: 'col-12 col-md-6' }),
    field({ name: 'merchant', label: 'Merchant', value: existing?.merchant ?? '', col: 'col-12 col-md-6' }),
    field({ name: 'notes', label: 'Notes', value: existing?.notes ?? '', col: 'col-12 col-md-6' }),
    field({ name: 'is_transfer', label: 'Transfer between my own accounts (not income or spending)', type: 'checkbox', value: existing?.is_transfer ?? false, col: 'col-12' }),
    h('div', { class: 'col-12 d-flex gap-2' },
      submitButton(existing ? 'Save changes' : 'Add transaction'),
      h('button', { type: 'button', class: 'btn btn-outline-secondary', onclick: cancel }, 'Cancel')));

  onSubmit(form, async (data) => {
    const account = numberOrNull(data, 'account_id') ?? 0;
    const magnitude = Math.abs(amountFrom(data, 'amount', currencyOf(account)) ?? 0);
    const body = {
      account_id: account,
      date: String(data.get('date')),
      amount: data.get('flow') === 'in' ? magnitude : -magnitude,
      description: text(data, 'description') ?? '',
      category_id: numberOrNull(data, 'category_id'),
      merchant: text(data, 'merchant'),
      notes: text(data, 'notes'),
      is_transfer: data.has('is_transfer'),
    };
    if (existing) {
      await call(api.PATCH('/api/v1/transactions/{id}', { params: { path: { id: existing.id } }, body }));
    } else {
      await call(api.POST('/api/v1/transactions', { body }));
      rememberAccount(account);
    }
    await done();
  });
  return h('div', { class: 'card mb-3' }, h('div', { class: 'card-body' },
    h('h2', { class: 'h6' }, existing ? 'Edit transaction' : 'New transaction'), form));
}
