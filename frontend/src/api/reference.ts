import { api, call, type Schemas } from './client';
import { ApiProblem } from './problem';
import { parseMoney } from '../format/money';
import type { Option } from '../ui/forms';

export type Account = Schemas['AccountResponse'];
export type Category = Schemas['CategoryResponse'];

// Accounts and categories are small lists many pages need; each page fetches them fresh, so a
// change on one page can never leave another showing a stale name.

export async function fetchAccounts(includeArchived = false): Promise<Account[]> {
  const list = await call(api.GET('/api/v1/accounts', { params: { query: { include_archived: includeArchived } } }));
  return list.items;
}

export async function fetchCategories(): Promise<Category[]> {
  return (await call(api.GET('/api/v1/categories'))).items;
}

export const ACCOUNT_KINDS: Option[] = [
  ['checking', 'Checking'], ['savings', 'Savings'], ['credit_card', 'Credit card'],
  ['cash', 'Cash'], ['loan', 'Loan'], ['investment', 'Investment'],
];

export function accountOptions(accounts: Account[]): Option[] {
  return accounts.map((a) => [String(a.id), `${a.name} (${a.currency})`]);
}

/** Each top-level category followed by its sub-categories (the API sorts by name only). */
export function inTreeOrder(categories: Category[]): { category: Category; parent?: Category }[] {
  const top = categories.filter((c) => !c.parent_id || !categories.some((p) => p.id === c.parent_id));
  return top.flatMap((parent) => [
    { category: parent },
    ...categories.filter((c) => c.parent_id === parent.id).map((category) => ({ category, parent })),
  ]);
}

/** Categories as select options, sub-categories named with their parent. */
export function categoryOptions(categories: Category[], kind?: Category['kind']): Option[] {
  return inTreeOrder(categories.filter((c) => !kind || c.kind === kind))
    .map(({ category, parent }): Option => [String(category.id), parent ? `${parent.name} › ${category.name}` : category.name]);
}

/** An amount typed into `field`, in minor units, or a 422-shaped problem shown under it. */
export function amountFrom(data: FormData, fieldName: string, currency: string, { optional = false } = {}): number | null {
  const raw = String(data.get(fieldName) ?? '').trim();
  if (raw === '' && optional) return null;
  const minor = parseMoney(raw, currency);
  if (minor === null) {
    throw new ApiProblem(422, 'Please correct the highlighted field.', [
      { field: fieldName, message: `Enter an amount such as 12.50 (${currency}).` },
    ]);
  }
  return minor;
}
