import type { operations } from '../api/schema';
import { isMonth } from '../format/dates';

type ListQuery = NonNullable<operations['list_transactions']['parameters']['query']>;
/** The transaction list's filters and sort: everything but paging. */
export type Filters = Omit<ListQuery, 'limit' | 'cursor'>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FLOWS = ['income', 'expense', 'transfer', 'all'] as const;

/** Filters from the address bar, dropping anything malformed instead of sending it on. */
export function filtersFromQuery(query: URLSearchParams): Filters {
  const filters: Filters = {};
  const id = (name: string) => {
    const value = Number(query.get(name));
    return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  };
  const month = query.get('month');
  if (isMonth(month)) filters.month = month;
  const year = id('year');
  if (year) filters.year = year;
  for (const name of ['from', 'to'] as const) {
    const value = query.get(name);
    if (value && DATE.test(value)) filters[name] = value;
  }
  filters.account_id = id('account_id');
  filters.category_id = id('category_id');
  filters.import_id = id('import_id');
  if (query.get('uncategorized') === 'true') filters.uncategorized = true;
  const q = query.get('q')?.trim();
  if (q) filters.q = q;
  const flow = query.get('flow');
  if (flow && (FLOWS as readonly string[]).includes(flow)) filters.flow = flow as Filters['flow'];
  const sort = query.get('sort');
  if (sort === 'date' || sort === 'amount') filters.sort = sort;
  const order = query.get('order');
  if (order === 'asc' || order === 'desc') filters.order = order;
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) as Filters;
}

export function filtersToQuery(filters: Filters): URLSearchParams {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== null && value !== '' && value !== false) query.set(key, String(value));
  }
  return query;
}

/** The CSV export of exactly the filtered set (its order is the export's own). */
export function exportHref(filters: Filters): string {
  const query = filtersToQuery({ ...filters, sort: undefined, order: undefined });
  const search = query.toString();
  return `/api/v1/transactions/export.csv${search ? `?${search}` : ''}`;
}
