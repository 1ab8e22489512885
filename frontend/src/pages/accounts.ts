import { api, call } from '../api/client';
import { ACCOUNT_KINDS, amountFrom, fetchAccounts, type Account } from '../api/reference';
import { formatMoney, toDecimalString } from '../format/money';
import type { Page } from '../router';
import { currentUser } from '../state/session';
import { h, replace } from '../ui/dom';
import { emptyState, guarded, loadInto, toast } from '../ui/feedback';
import { field, onSubmit, submitButton, text } from '../ui/forms';

export const accountsPage: Page = ({ root }) => {
  const list = h('div');
  const reload: () => Promise<void> = loadInto(list, () => fetchAccounts(true), (accounts) => accounts.length === 0
    ? emptyState('No accounts yet. Add the bank account, card or wallet you want to track.')
    : h('div', { class: 'list-group' }, accounts.map((a) => accountRow(a, reload))));

  const form = h('form', { class: 'row g-2 align-items-end', 'aria-label': 'New account' },
    field({ name: 'name', label: 'Name', required: true, col: 'col-12 col-md-4', attrs: { placeholder: 'Everyday' } }),
    field({ name: 'kind', label: 'Type', type: 'select', options: ACCOUNT_KINDS, col: 'col-6 col-md-2' }),
    field({ name: 'currency', label: 'Currency', value: currentUser().base_currency, required: true, col: 'col-6 col-md-2',
      attrs: { maxlength: '3', autocapitalize: 'characters', pattern: '[A-Za-z]{3}' } }),
    field({ name: 'opening_balance', label: 'Opening balance', col: 'col-12 col-md-2', attrs: { inputmode: 'decimal', placeholder: '0.00' } }),
    h('div', { class: 'col-12 col-md-2 mb-3 d-grid' }, submitButton('Add account')));
  onSubmit(form, async (data) => {
    const currency = (text(data, 'currency') ?? '').toUpperCase();
    await call(api.POST('/api/v1/accounts', {
      body: {
        name: text(data, 'name') ?? '',
        kind: data.get('kind') as Account['kind'],
        currency,
        opening_balance: amountFrom(data, 'opening_balance', currency, { optional: true }) ?? 0,
      },
    }));
    form.reset();
    toast('Account added');
    await reload();
  });

  root.append(
    h('h1', { class: 'h3 mb-3' }, 'Accounts'),
    h('section', { class: 'card mb-4' }, h('div', { class: 'card-body' },
      h('h2', { class: 'h6 card-title' }, 'Add an account'), form)),
    list);
};

function accountRow(account: Account, reload: () => Promise<void>): HTMLElement {
  const setArchived = async () => {
    await call(api.PATCH('/api/v1/accounts/{id}', {
      params: { path: { id: account.id } }, body: { archived: !account.archived },
    }));
    toast(account.archived ? 'Account restored' : 'Account archived');
    await reload();
  };
  const remove = async () => {
    if (!confirm(`Delete “${account.name}” with all its transactions and imports? This cannot be undone.`)) return;
    await call(api.DELETE('/api/v1/accounts/{id}', { params: { path: { id: account.id } } }));
    toast('Account deleted');
    await reload();
  };
  const kind = ACCOUNT_KINDS.find(([k]) => k === account.kind)?.[1] ?? account.kind;
  const slot = h('div', { class: 'w-100' });
  const edit = () => replace(slot, editForm(account, () => replace(slot), reload));
  return h('div', { class: `list-group-item d-flex flex-wrap align-items-center gap-2${account.archived ? ' text-secondary' : ''}`, 'data-account': String(account.id) },
    h('div', { class: 'me-auto' },
      h('div', { class: 'fw-semibold' }, account.name, account.archived && h('span', { class: 'badge text-bg-secondary ms-2' }, 'Archived')),
      h('div', { class: 'small text-secondary' }, `${kind} · ${account.currency} · opened with `,
        formatMoney(account.opening_balance, account.currency))),
    h('div', { class: `amount fs-5 ${account.balance < 0 ? 'text-danger' : ''}` }, formatMoney(account.balance, account.currency)),
    h('div', { class: 'btn-group btn-group-sm' },
      h('button', { type: 'button', class: 'btn btn-outline-secondary', onclick: edit }, 'Edit'),
      h('button', { type: 'button', class: 'btn btn-outline-secondary', onclick: guarded(setArchived) }, account.archived ? 'Restore' : 'Archive'),
      h('button', { type: 'button', class: 'btn btn-outline-danger', onclick: guarded(remove) }, 'Delete')),
    slot);
}

/** Renaming an account, or changing its type or opening balance. */
function editForm(account: Account, close: () => void, saved: () => Promise<void>): HTMLFormElement {
  const form = h('form', { class: 'row g-2 align-items-end mt-1', 'aria-label': `Edit account ${account.name}` },
    field({ name: 'name', label: 'Name', required: true, value: account.name, col: 'col-12 col-md-4' }),
    field({ name: 'kind', label: 'Type', type: 'select', options: ACCOUNT_KINDS, value: account.kind, col: 'col-6 col-md-3' }),
    field({ name: 'opening_balance', label: `Opening balance (${account.currency})`, value: toDecimalString(account.opening_balance, account.currency), col: 'col-6 col-md-3', attrs: { inputmode: 'decimal' } }),
    h('div', { class: 'col-12 col-md-2 mb-3 d-flex gap-2' }, submitButton('Save'),
      h('button', { type: 'button', class: 'btn btn-outline-secondary', onclick: close }, 'Cancel')));
  onSubmit(form, async (data) => {
    await call(api.PATCH('/api/v1/accounts/{id}', {
      params: { path: { id: account.id } },
      body: {
        name: text(data, 'name') ?? '',
        kind: data.get('kind') as Account['kind'],
        opening_balance: amountFrom(data, 'opening_balance', account.currency, { optional: true }) ?? 0,
      },
    }));
    toast('Account saved');
    await saved();
  });
  return form;
}
