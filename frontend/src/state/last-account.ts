// The account a new transaction was last added to, kept in the browser so that the next one
// starts there rather than in the alphabetically first account.

const KEY = 'dhana.lastAccount';

type KeyValue = Pick<Storage, 'getItem' | 'setItem'>;

function browserStorage(): KeyValue | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // Storage disabled: nothing is remembered.
  }
}

/** The remembered account if it is still among `accounts`, else the first of them. */
export function lastAccount(accounts: { id: number }[], storage: KeyValue | null = browserStorage()): number | undefined {
  const remembered = Number(storage?.getItem(KEY));
  return accounts.find((a) => a.id === remembered)?.id ?? accounts[0]?.id;
}

export function rememberAccount(id: number, storage: KeyValue | null = browserStorage()): void {
  storage?.setItem(KEY, String(id));
}
