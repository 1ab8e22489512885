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

/** Categories as select options, sub-categories indented under their parent. */
export function categoryOptions(categories: Category[], kind?: Category['kind']): Option[] {
  const shown = categories.filter((c) => !kind || c.kind === kind);
  const top = shown.filter((c) => !c.parent_id || !shown.some((p) => p.id === c.parent_id));
  return top.flatMap((parent) => [
    [String(parent.id), parent.name] as Option,
    ...shown.filter((c) => c.parent_id === parent.id).map((c): Option => [String(c.id), `  ${parent.name} › ${c.name}`]),
  ]);
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
