// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import type { Schemas } from '../src/api/client';
import type { Account } from '../src/api/reference';
import { previewTable, routingToggle } from '../src/pages/imports';

type Preview = Schemas['PreviewResponse'];
type Row = Schemas['PreviewRow'];

const account = (id: number, name: string, currency: string): Account => ({
  id, name, currency, kind: 'checking', opening_balance: 0, archived: false, balance: 0,
  created_at: '2026-03-01T00:00:00Z', updated_at: '2026-03-01T00:00:00Z',
} as Account);
const accounts = [account(1, 'Everyday', 'EUR'), account(2, 'Dollars', 'USD')];

const row = (line: number, accountId: number, amount: number): Row => ({
  line, account_id: accountId, date: '2026-03-01', amount, description: `row ${line}`, merchant: null,
  merchant_name: null, notes: null, category_id: null, category_source: null, category_confidence: null,
  suggested_category_id: null, is_transfer: false, duplicate: false,
});

const preview = (mapping: Partial<Schemas['Mapping']>, rows: Row[]): Preview => ({
  id: 9, account_id: 1, filename: 'export.csv', format: 'delimited', status: 'previewed',
  mapping: { account_column: 6, route_by_account: false, ...mapping } as Schemas['Mapping'],
  counts: { rows: rows.length, imported: 0, duplicates: 0, errors: 0, skipped: 0 },
  progress: { done: 0, total: rows.length, percent: 0 }, problems: [], failure: null,
  created_at: '2026-03-01T00:00:00Z', committed_at: null, undone_at: null,
  encoding: 'UTF-8', currency: null, headers: [], rows, duplicates: 0, findings: {}, cleaned: [],
} as Preview);

describe('the import preview of an export of several accounts', () => {
  it('shows the account and its currency on each routed row', () => {
    const table = previewTable(preview({ route_by_account: true }, [row(2, 1, -350), row(3, 2, -1200)]), accounts, []);
    const lines = [...table.querySelectorAll('tbody tr')];
    expect(lines.map((tr) => tr.querySelector('.cell-account')!.textContent)).toEqual(['Everyday', 'Dollars']);
    expect(lines[1]!.querySelector('.cell-amount')!.textContent).toContain('12.00');
    expect(lines[1]!.querySelector('.cell-amount')!.textContent).toMatch(/\$|USD/);
    expect(lines[1]!.querySelector('.cell-more')!.textContent).toContain('to Dollars');
    expect(table.querySelector('thead')!.textContent).toContain('Account');
  });

  it('shows no account column when every row goes to the chosen account', () => {
    const table = previewTable(preview({ route_by_account: false }, [row(2, 1, -350)]), accounts, []);
    expect(table.querySelector('.cell-account')).toBeNull();
    expect(table.querySelector('thead')!.textContent).not.toContain('Account');
  });

  it('offers routing only for files whose rows name an account, and re-previews on change', async () => {
    expect(routingToggle({ account_column: null } as Schemas['Mapping'], async () => {})).toBeNull();
    const change = vi.fn(async () => {});
    const toggle = routingToggle({ account_column: 6, route_by_account: false } as Schemas['Mapping'], change)!;
    const input = toggle.querySelector<HTMLInputElement>('input[name=route_by_account]')!;
    expect(input.checked).toBe(false);
    input.checked = true;
    input.dispatchEvent(new Event('change'));
    expect(change).toHaveBeenCalledWith(true);
  });
});
