// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import type { Schemas } from '../src/api/client';
import { accountPicker, reportRequest, reportRow } from '../src/pages/reports';

type Report = Schemas['ReportResponse'];

const report = (over: Partial<Report>): Report => ({
  id: 7, kind: 'pdf', status: 'ready', progress: 100,
  period: { kind: 'month', from: '2026-03-01', to: '2026-03-31', label: '2026-03' },
  account_ids: [], include_transactions: false, transaction_count: 212,
  file_name: 'dhana-2026-03.pdf', file_size: 1_710_342, failure: null,
  created_at: '2026-04-01T08:00:00Z', finished_at: '2026-04-01T08:00:01Z', ...over,
});

const form = (entries: Record<string, string>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(entries)) data.set(k, v);
  return data;
};

describe('the report form', () => {
  it('sends exactly one period', () => {
    expect(reportRequest(form({ kind: 'pdf', period: 'month', month: '2026-03', include_transactions: 'on' })))
      .toEqual({ kind: 'pdf', month: '2026-03', include_transactions: true });
    expect(reportRequest(form({ kind: 'xlsx', period: 'year', year: '2025' })))
      .toEqual({ kind: 'xlsx', year: 2025, include_transactions: false });
    expect(reportRequest(form({ kind: 'csv', period: 'range', from: '2026-01-01', to: '2026-03-31', include_transactions: 'on' })))
      .toEqual({ kind: 'csv', from: '2026-01-01', to: '2026-03-31', include_transactions: false });
  });
});

describe('the account picker', () => {
  const accounts = [
    { id: 3, name: 'Main', currency: 'USD' },
    { id: 5, name: 'Savings', currency: 'USD' },
    { id: 8, name: 'Card', currency: 'EUR' },
  ] as Schemas['AccountResponse'][];
  const picked = (untick: number[]) => {
    const form = document.createElement('form');
    form.append(accountPicker(accounts));
    for (const id of untick) (form.querySelector(`input[value="${id}"]`) as HTMLInputElement).checked = false;
    const data = new FormData(form);
    data.set('kind', 'xlsx');
    data.set('period', 'month');
    data.set('month', '2026-03');
    return reportRequest(data, accounts.length);
  };

  it('starts with every account ticked, which sends no restriction', () => {
    const picker = accountPicker(accounts);
    const boxes = [...picker.querySelectorAll('input[type=checkbox]')] as HTMLInputElement[];
    expect(boxes.map((b) => [b.value, b.checked])).toEqual([['3', true], ['5', true], ['8', true]]);
    expect(picker.textContent).toContain('Card (EUR)');
    expect(picked([])).toEqual({ kind: 'xlsx', month: '2026-03', include_transactions: false });
  });

  it('sends the accounts left ticked', () => {
    expect(picked([5])).toEqual({ kind: 'xlsx', month: '2026-03', include_transactions: false, account_ids: [3, 8] });
    expect(picked([3, 8])).toMatchObject({ account_ids: [5] });
  });

  it('treats none ticked as all', () => {
    expect(picked([3, 5, 8])).not.toHaveProperty('account_ids');
  });
});

describe('a report in the history', () => {
  it('offers its file under its own name once ready', () => {
    const row = reportRow(report({}), () => {});
    const link = row.querySelector('a')!;
    expect(link.getAttribute('href')).toBe('/api/v1/reports/7/file');
    expect(link.getAttribute('download')).toBe('dhana-2026-03.pdf');
    expect(row.textContent).toContain('2026-03-01 to 2026-03-31 · 212 transactions · 1.7 MB');
    expect(row.querySelector('[role=progressbar]')).toBeNull();
  });

  it('shows how far one made in the background is, with nothing to download yet', () => {
    const row = reportRow(report({ status: 'running', progress: 40, file_size: null }), () => {});
    expect(row.querySelector('[data-status]')!.textContent).toBe('Being made');
    expect(row.querySelector('[role=progressbar]')!.getAttribute('aria-valuenow')).toBe('40');
    expect(row.querySelector('a')).toBeNull();
  });

  it('says why it failed, and can be deleted', () => {
    const remove = vi.fn();
    const row = reportRow(report({ status: 'failed', failure: 'the report could not be made', file_size: null }), remove);
    expect(row.textContent).toContain('the report could not be made');
    row.querySelector('button')!.click();
    expect(remove).toHaveBeenCalledOnce();
  });
});
