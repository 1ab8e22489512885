import { api, call, type Schemas } from '../api/client';
import { accountOptions, categoryOptions, fetchAccounts, fetchCategories, type Account, type Category } from '../api/reference';
import { formatDate } from '../format/dates';
import { categoryReason } from '../format/category-reason';
import { formatMoney, formatPercent } from '../format/money';
import type { Page } from '../router';
import { exportHref, filtersFromQuery, filtersToQuery, type Filters } from '../state/transaction-filters';
import { h, replace, type Child } from '../ui/dom';
import { emptyState, errorAlert, guarded, loadInto, spinner, toast } from '../ui/feedback';
import { field, type Option } from '../ui/forms';
import { ruleDraft, ruleForm } from './rules';
import { transactionForm } from './transaction-form';

type Transaction = Schemas['TransactionResponse'];
type TransactionList = Schemas['TransactionList'];
type Totals = Schemas['Totals'];

const PAGE_SIZE = 50;
const SORTS: Option[] = [['date:desc', 'Newest first'], ['date:asc', 'Oldest first'], ['amount:asc', 'Largest spending first'], ['amount:desc', 'Largest income first']];

export const transactionsPage: Page = ({ root, query, setQuery }) => {
  const body = h('div');
  loadInto(body, () => Promise.all([fetchAccounts(true), fetchCategories()]), ([accounts, categories]) => {
    const view = new TransactionsView(accounts, categories, filtersFromQuery(query), (filters) => setQuery(filtersToQuery(filters)));
    return view.element;
  });
  root.append(body);
};

/** Count, in, out and net of the filtered set, one box per currency; nothing when it is empty. */
export function totalsView(totals: Totals[]): HTMLElement | null {
  return totals.length === 0 ? null : h('div', { class: 'd-flex flex-wrap gap-2' },
    totals.map((t) => h('div', { class: 'border rounded px-3 py-2 small bg-body-tertiary', 'data-totals': t.currency },
      h('span', { class: 'me-3' }, `${t.count} transaction${t.count === 1 ? '' : 's'}`),
      h('span', { class: 'me-3' }, 'In ', h('strong', { class: 'amount-in' }, formatMoney(t.income, t.currency))),
      h('span', { class: 'me-3' }, 'Out ', h('strong', null, formatMoney(-t.expenses, t.currency))),
      h('span', null, 'Net ', h('strong', null, formatMoney(t.income + t.expenses, t.currency, { signed: true }))))));
}

/** The filter bar, totals, bulk actions, table and paging of one transactions page. */
class TransactionsView {
  readonly element: HTMLElement;
  private readonly formSlot = h('div');
  private readonly totals = h('div', { class: 'mb-3', 'aria-live': 'polite' });
  private readonly table = h('div');
  private readonly bulkBar = h('div', { class: 'sticky-top bg-body py-2', hidden: true });
  private readonly exportLink = h('a', { class: 'btn btn-outline-secondary', download: 'transactions.csv' }, 'Export CSV');
  private readonly selected = new Set<number>();
  private items: Transaction[] = [];
  private nextCursor: string | null = null;
  private generation = 0;

  constructor(
    private readonly accounts: Account[],
    private readonly categories: Category[],
    private filters: Filters,
    private readonly saveFilters: (filters: Filters) => void,
  ) {
    this.element = h('div', null,
      h('div', { class: 'd-flex flex-wrap justify-content-between align-items-center gap-2 mb-3' },
        h('h1', { class: 'h3 mb-0' }, 'Transactions'),
        h('div', { class: 'd-flex gap-2' },
          h('button', { type: 'button', class: 'btn btn-primary', onclick: () => this.openForm(null) }, 'Add'),
          this.exportLink)),
      this.formSlot, this.filterBar(), this.totals, this.bulkBar, this.table);
    void this.reload();
  }

  private filterBar(): HTMLElement {
    const f = this.filters;
    const categoryChoices: Option[] = [['', 'All categories'], ['uncategorized', 'Uncategorized'], ...categoryOptions(this.categories)];
    const form = h('form', { class: 'row g-2 align-items-end', role: 'search', 'aria-label': 'Filter transactions' },
      field({ name: 'q', label: 'Search', type: 'search', value: f.q ?? '', col: 'col-12 col-md-4', attrs: { placeholder: 'Description, merchant, notes' } }),
      field({ name: 'month', label: 'Month', type: 'month', value: f.month ?? '', col: 'col-6 col-md-2' }),
      field({ name: 'from', label: 'From', type: 'date', value: f.from ?? '', col: 'col-6 col-md-3' }),
      field({ name: 'to', label: 'To', type: 'date', value: f.to ?? '', col: 'col-6 col-md-3' }),
      field({ name: 'account_id', label: 'Account', type: 'select', options: [['', 'All accounts'], ...accountOptions(this.accounts)], value: String(f.account_id ?? ''), col: 'col-6 col-md-3' }),
      field({ name: 'category', label: 'Category', type: 'select', options: categoryChoices, value: f.uncategorized ? 'uncategorized' : String(f.category_id ?? ''), col: 'col-6 col-md-3' }),
      field({ name: 'flow', label: 'Kind', type: 'select', options: [['', 'Income and spending'], ['expense', 'Spending'], ['income', 'Income'], ['transfer', 'Transfers']], value: f.flow ?? '', col: 'col-6 col-md-3' }),
      field({ name: 'sort', label: 'Sort', type: 'select', options: SORTS, value: `${f.sort ?? 'date'}:${f.order ?? (f.sort === 'amount' ? 'asc' : 'desc')}`, col: 'col-6 col-md-2' }),
      h('div', { class: 'col-12 col-md-1 mb-3' }, h('button', { type: 'button', class: 'btn btn-link px-0', onclick: () => clear() }, 'Clear')));
    const read = () => {
      const data = new FormData(form);
      const value = (name: string) => String(data.get(name) ?? '').trim() || undefined;
      const [sort, order] = String(data.get('sort')).split(':') as [Filters['sort'], Filters['order']];
      const category = value('category');
      this.filters = {
        q: value('q'), month: value('month'), from: value('from'), to: value('to'),
        account_id: value('account_id') ? Number(value('account_id')) : undefined,
        category_id: category && category !== 'uncategorized' ? Number(category) : undefined,
        uncategorized: category === 'uncategorized' || undefined,
        flow: value('flow') as Filters['flow'],
        import_id: this.filters.import_id,
        sort, order,
      };
      this.saveFilters(this.filters);
      void this.reload();
    };
    let typing: ReturnType<typeof setTimeout> | undefined;
    form.addEventListener('change', read);
    form.addEventListener('input', (e) => {
      if ((e.target as HTMLInputElement).name !== 'q') return;
      clearTimeout(typing);
      typing = setTimeout(read, 300);
    });
    form.addEventListener('submit', (e) => { e.preventDefault(); read(); });
    // Not `form.reset()`: that would bring back the filters the page was opened with.
    const clear = () => {
      form.querySelectorAll('input').forEach((input) => (input.value = ''));
      form.querySelectorAll('select').forEach((select) => (select.selectedIndex = 0));
      this.filters.import_id = undefined;
      read();
    };
    return h('details', { class: 'card card-body mb-3 py-2', open: window.innerWidth >= 768 },
      h('summary', { class: 'fw-semibold py-1' }, 'Filters', this.filters.import_id && h('span', { class: 'badge text-bg-info ms-2' }, 'one import')),
      form);
  }

  private async reload(): Promise<void> {
    const mine = ++this.generation;
    this.selected.clear();
    this.renderBulkBar();
    this.exportLink.href = exportHref(this.filters);
    replace(this.table, spinner());
    try {
      const page = await this.fetchPage(null);
      if (mine !== this.generation) return;
      this.items = page.items;
      this.nextCursor = page.next_cursor ?? null;
      this.renderTable();
      void this.loadTotals(mine, page);
    } catch (error) {
      if (mine === this.generation) replace(this.table, errorAlert(error, () => void this.reload()));
    }
  }

  /** The list brings totals only when monthly sums give them cheaply; otherwise they are asked
   * for once per filter, never with each page. */
  private async loadTotals(mine: number, page: TransactionList): Promise<void> {
    if (page.totals) {
      replace(this.totals, totalsView(page.totals));
      return;
    }
    replace(this.totals, spinner());
    try {
      const { totals } = await call(api.GET('/api/v1/transactions/totals', { params: { query: this.filters } }));
      if (mine === this.generation) replace(this.totals, totalsView(totals));
    } catch (error) {
      if (mine === this.generation) replace(this.totals, errorAlert(error, () => void this.loadTotals(mine, page)));
    }
  }

  private fetchPage(cursor: string | null): Promise<TransactionList> {
    return call(api.GET('/api/v1/transactions', { params: { query: { ...this.filters, limit: PAGE_SIZE, cursor: cursor ?? undefined } } }));
  }

  private async loadMore(button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    const page = await this.fetchPage(this.nextCursor);
    this.items.push(...page.items);
    this.nextCursor = page.next_cursor ?? null;
    this.renderTable();
  }

  private renderTable(): void {
    if (this.items.length === 0) {
      replace(this.table, emptyState('No transactions match these filters.', h('a', { class: 'btn btn-outline-primary', href: '/import' }, 'Import a bank file')));
      return;
    }
    const allBox = h('input', { type: 'checkbox', class: 'form-check-input', 'aria-label': 'Select all shown' });
    allBox.addEventListener('change', () => {
      this.items.forEach((t) => (allBox.checked ? this.selected.add(t.id) : this.selected.delete(t.id)));
      this.table.querySelectorAll<HTMLInputElement>('tbody input[type=checkbox]').forEach((b) => (b.checked = allBox.checked));
      this.renderBulkBar();
    });
    const more = this.nextCursor ? h('button', { type: 'button', class: 'btn btn-outline-secondary' }, 'Load more') : null;
    more?.addEventListener('click', guarded(() => this.loadMore(more)));
    replace(this.table,
      h('div', { class: 'table-responsive' }, h('table', { class: 'table table-hover table-tx tx-list' },
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, allBox), h('th', { scope: 'col' }, 'Date'), h('th', { scope: 'col' }, 'Description'),
          h('th', { scope: 'col', class: 'hide-sm' }, 'Account'), h('th', { scope: 'col' }, 'Category'),
          h('th', { scope: 'col', class: 'text-end' }, 'Amount'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
        h('tbody', null, this.items.map((t) => this.row(t))))),
      h('div', { class: 'd-flex justify-content-between align-items-center' },
        h('span', { class: 'small text-secondary' }, `Showing ${this.items.length}`), more));
  }

  private row(t: Transaction): HTMLElement {
    const account = this.accounts.find((a) => a.id === t.account_id);
    const box = h('input', { type: 'checkbox', class: 'form-check-input', 'aria-label': `Select ${t.description}`, checked: this.selected.has(t.id) });
    box.addEventListener('change', () => {
      if (box.checked) this.selected.add(t.id);
      else this.selected.delete(t.id);
      this.renderBulkBar();
    });
    const category = h('select', { class: 'form-select form-select-sm', 'aria-label': `Category of ${t.description}` },
      [['', 'Uncategorized'] as Option, ...categoryOptions(this.categories)].map(([value, label]) =>
        h('option', { value, selected: value === String(t.category_id ?? '') }, label)));
    const note = h('div', { class: 'small text-secondary' }, categoryNote(t, this.categories, (id) => setCategory(id)));
    // Setting a category here is a correction the categorizer learns from.
    const setCategory = async (categoryId: number | null) => {
      Object.assign(t, await call(api.PATCH('/api/v1/transactions/{id}', { params: { path: { id: t.id } }, body: { category_id: categoryId } })));
      category.value = String(t.category_id ?? '');
      replace(note, categoryNote(t, this.categories, (id) => setCategory(id)));
      toast(`“${t.description}” filed under ${category.selectedOptions[0]?.textContent?.trim() ?? 'Uncategorized'}`);
    };
    category.addEventListener('change', guarded(() => setCategory(category.value ? Number(category.value) : null)));
    return h('tr', { 'data-id': String(t.id) },
      h('td', null, box),
      h('td', { class: 'text-nowrap small' }, formatDate(t.date)),
      h('td', null, h('div', { class: 'text-break' }, t.description, t.is_transfer && h('span', { class: 'badge text-bg-secondary ms-1' }, 'transfer')),
        (t.merchant_name || t.notes) && h('div', { class: 'small text-secondary', 'data-merchant': t.merchant_name ?? '' }, [t.merchant_name, t.notes].filter(Boolean).join(' · '))),
      h('td', { class: 'hide-sm small' }, account?.name ?? ''),
      h('td', null, category, note),
      h('td', { class: `amount ${t.amount > 0 ? 'amount-in' : ''}` }, formatMoney(t.amount, t.currency)),
      h('td', { class: 'text-end text-nowrap' },
        h('button', { type: 'button', class: 'btn btn-sm btn-link', onclick: () => this.openForm(t) }, 'Edit'),
        h('button', { type: 'button', class: 'btn btn-sm btn-link', title: 'File future transactions like this one', onclick: guarded(() => this.makeRule(t)) }, 'Rule'),
        h('button', { type: 'button', class: 'btn btn-sm btn-link text-danger', onclick: guarded(() => this.remove([t.id])) }, 'Delete')));
  }

  private renderBulkBar(): void {
    const count = this.selected.size;
    this.bulkBar.hidden = count === 0;
    if (count === 0) return replace(this.bulkBar);
    const category = h('select', { class: 'form-select form-select-sm w-auto', 'aria-label': 'Category for the selected' },
      [['', 'Uncategorized'] as Option, ...categoryOptions(this.categories)].map(([value, label]) => h('option', { value }, label)));
    const apply = async () => {
      const ids = [...this.selected];
      const result = await call(api.POST('/api/v1/transactions/bulk/categorize', { body: { ids, category_id: category.value ? Number(category.value) : null } }));
      toast(`${result.affected} transaction${result.affected === 1 ? '' : 's'} re-filed`);
      await this.reload();
    };
    replace(this.bulkBar, h('div', { class: 'd-flex flex-wrap align-items-center gap-2 border rounded p-2 bg-body-tertiary' },
      h('strong', null, `${count} selected`), category,
      h('button', { type: 'button', class: 'btn btn-sm btn-primary', onclick: guarded(apply) }, 'Set category'),
      h('button', { type: 'button', class: 'btn btn-sm btn-outline-danger', onclick: guarded(() => this.remove([...this.selected])) }, 'Delete')));
  }

  private async remove(ids: number[]): Promise<void> {
    if (!confirm(ids.length === 1 ? 'Delete this transaction?' : `Delete ${ids.length} transactions?`)) return;
    if (ids.length === 1) await call(api.DELETE('/api/v1/transactions/{id}', { params: { path: { id: ids[0]! } } }));
    else await call(api.POST('/api/v1/transactions/bulk/delete', { body: { ids } }));
    toast(ids.length === 1 ? 'Transaction deleted' : `${ids.length} transactions deleted`);
    await this.reload();
  }

  /** The rule dialog, filled in from the transaction, to check and edit before saving. */
  private makeRule(t: Transaction): Promise<void> {
    const dialog = h('dialog', { class: 'rule-dialog border rounded-3 shadow p-0', 'aria-label': 'New rule' });
    const close = () => {
      dialog.close();
      dialog.remove();
    };
    const form = ruleForm(this.categories, this.accounts, null, async () => {
      close();
      await this.reload();
    }, close, ruleDraft(t));
    dialog.append(h('div', { class: 'p-3' },
      h('h2', { class: 'h5' }, 'File transactions like this one'),
      h('p', { class: 'small text-secondary' }, `From “${t.description}”. Edit the text to match what these transactions share.`),
      form));
    document.body.append(dialog);
    dialog.showModal();
    return Promise.resolve();
  }

  private openForm(existing: Transaction | null): void {
    if (this.accounts.length === 0) {
      replace(this.formSlot, emptyState('Add an account first.', h('a', { class: 'btn btn-primary', href: '/accounts' }, 'Add an account')));
      return;
    }
    const close = () => replace(this.formSlot);
    replace(this.formSlot, transactionForm(this.accounts.filter((a) => !a.archived || a.id === existing?.account_id), this.categories, existing, async () => {
      close();
      toast(existing ? 'Transaction saved' : 'Transaction added');
      await this.reload();
    }, close));
    this.formSlot.querySelector('input')?.focus();
  }
}

/**
 * Under the category: how it was set when the categorizer did it, or its guess to accept when
 * it was not sure enough to file the transaction itself.
 */
function categoryNote(t: Transaction, categories: Category[], accept: (id: number) => Promise<void>): Child[] {
  if (t.category_id != null) {
    if (t.category_source !== 'model') return [whyFiled(t)];
    return [t.category_confidence != null ? `auto · ${formatPercent(t.category_confidence)} sure` : 'auto', whyFiled(t)];
  }
  const suggested = categories.find((c) => c.id === t.suggested_category_id);
  if (!suggested) return [];
  return [h('button', {
    type: 'button', class: 'btn btn-link btn-sm p-0 text-start', onclick: guarded(() => accept(suggested.id)),
    'aria-label': `Accept the suggestion ${suggested.name} for ${t.description}`,
  }, `Suggested: ${suggested.name}`), whyFiled(t)];
}

/**
 * Why the transaction has its category (or suggestion), one tap away: who set it, or, for the
 * categorizer, its own explanation, asked for when opened.
 */
function whyFiled(t: Transaction): HTMLElement | null {
  const known = categoryReason(t.category_source);
  if (t.category_id == null && t.suggested_category_id == null) return null;
  const body = h('div', { class: 'small' }, known ?? '');
  const box = h('details', { class: 'why-filed' }, h('summary', null, 'Why?'), body);
  if (!known) {
    box.addEventListener('toggle', () => {
      if (!box.open || body.textContent) return;
      body.textContent = '…';
      call(api.POST('/api/v1/categorize', { body: { items: [{ description: t.description, amount: t.amount }] } })).then(
        (answer) => (body.textContent = answer.items[0]?.explanation ?? 'The categorizer gives no reason.'),
        () => (body.textContent = 'The reason could not be loaded.'),
      );
    });
  }
  return box;
}
