import { api, call, type Schemas } from '../api/client';
import { fetchAccounts, type Account } from '../api/reference';
import { currentMonth } from '../format/dates';
import type { Page } from '../router';
import { h, replace } from '../ui/dom';
import { emptyState, guarded, loadInto, toast } from '../ui/feedback';
import { field, onSubmit, submitButton, text, type Option } from '../ui/forms';

type Report = Schemas['ReportResponse'];
type CreateReport = Schemas['CreateReport'];

const KINDS: Option[] = [['pdf', 'PDF'], ['xlsx', 'Excel workbook'], ['csv', 'CSV (every transaction)']];
const PERIODS: Option[] = [['month', 'A month'], ['year', 'A year'], ['range', 'From … to']];
const STATUS: Record<Report['status'], string> = { queued: 'Waiting', running: 'Being made', ready: 'Ready', failed: 'Failed' };
/** How often a report being made in the background is asked about. */
const POLL_MS = 1000;

/**
 * The request body of the form: its kind, the one period it names, and the accounts ticked out
 * of `accountCount` (none sent when all or none are ticked: the report is then of all accounts).
 */
export function reportRequest(data: FormData, accountCount = 0): CreateReport {
  const kind = data.get('kind') as CreateReport['kind'];
  const body: CreateReport = { kind, include_transactions: kind === 'pdf' && data.get('include_transactions') === 'on' };
  const ticked = data.getAll('account_ids').map(Number);
  if (ticked.length > 0 && ticked.length < accountCount) body.account_ids = ticked;
  switch (data.get('period')) {
    case 'year': return { ...body, year: Number(text(data, 'year')) };
    case 'range': return { ...body, from: text(data, 'from'), to: text(data, 'to') };
    default: return { ...body, month: text(data, 'month') };
  }
}

/** A checkbox per account, all ticked: a report is of every account unless some are unticked. */
export function accountPicker(accounts: Account[]): HTMLElement {
  return h('fieldset', { class: 'mb-3', 'aria-label': 'Accounts' },
    h('legend', { class: 'form-label fs-6 mb-1' }, 'Accounts'),
    h('div', { class: 'd-flex flex-wrap column-gap-3' }, accounts.map((a) => h('div', { class: 'form-check' },
      h('input', { class: 'form-check-input', type: 'checkbox', name: 'account_ids', value: String(a.id), id: `report-account-${a.id}`, defaultChecked: true }),
      h('label', { class: 'form-check-label', for: `report-account-${a.id}` }, `${a.name} (${a.currency})`)))),
    h('div', { class: 'form-text' }, 'Insights, the forecast, upcoming bills and budgets are about all accounts: a report on some leaves them out.'),
    h('div', { class: 'invalid-feedback' }));
}

function sizeLabel(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1000))} kB`;
}

/** One report of the history: what it covers, how far it is, and its download. */
export function reportRow(report: Report, onDelete: () => void): HTMLElement {
  const busy = report.status === 'queued' || report.status === 'running';
  const tone = { queued: 'secondary', running: 'info', ready: 'success', failed: 'danger' }[report.status];
  return h('div', { class: 'list-group-item d-flex flex-wrap align-items-center gap-2', 'data-report': String(report.id) },
    h('div', { class: 'me-auto text-break' },
      h('div', { class: 'fw-semibold' }, report.file_name),
      h('div', { class: 'small text-secondary' },
        `${report.period.from} to ${report.period.to} · ${report.transaction_count} transactions`,
        report.account_ids.length > 0 ? ` · ${report.account_ids.length} account(s)` : '',
        report.file_size ? ` · ${sizeLabel(report.file_size)}` : ''),
      report.failure && h('div', { class: 'small text-danger' }, report.failure)),
    h('span', { class: `badge text-bg-${tone}`, 'data-status': report.status }, STATUS[report.status]),
    busy && h('div', { class: 'progress', style: 'width: 8rem', role: 'progressbar', 'aria-label': 'Progress',
      'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(report.progress) },
    h('div', { class: 'progress-bar progress-bar-striped progress-bar-animated', style: `width: ${report.progress}%` })),
    report.status === 'ready' && h('a', { class: 'btn btn-sm btn-primary', href: `/api/v1/reports/${report.id}/file`, download: report.file_name }, 'Download'),
    h('button', { type: 'button', class: 'btn btn-sm btn-outline-danger', onclick: onDelete }, 'Delete'));
}

export const reportsPage: Page = ({ root }) => {
  const list = h('div', { 'aria-live': 'polite' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reload: () => Promise<void> = loadInto(list, () => call(api.GET('/api/v1/reports', { params: { query: { limit: 50 } } })), ({ items }) => {
    clearTimeout(timer);
    // Reports made in the background: ask again until each is ready or failed.
    if (items.some((r) => r.status === 'queued' || r.status === 'running')) timer = setTimeout(() => void reload(), POLL_MS);
    return items.length === 0
      ? emptyState('No reports yet. Make one above: it is kept here to download again.')
      : h('div', { class: 'list-group' }, items.map((r) => reportRow(r, guarded(async () => {
        if (!confirm(`Delete ${r.file_name}?`)) return;
        await call(api.DELETE('/api/v1/reports/{id}', { params: { path: { id: r.id } } }));
        toast('Report deleted');
        await reload();
      }))));
  });

  const periodFields = h('div', { class: 'row g-2' });
  const kindOf = h('div', { class: 'col-12 col-md-3' }, field({ name: 'period', label: 'Period', type: 'select', options: PERIODS, value: 'month' }));
  const showPeriod = (kind: string) => replace(periodFields,
    kind === 'year' ? field({ name: 'year', label: 'Year', type: 'number', required: true, value: currentMonth().slice(0, 4), col: 'col-6 col-md-3', attrs: { min: '1900', max: '9999' } })
      : kind === 'range' ? [field({ name: 'from', label: 'From', type: 'date', required: true, col: 'col-6 col-md-3' }), field({ name: 'to', label: 'To', type: 'date', required: true, col: 'col-6 col-md-3' })]
        : field({ name: 'month', label: 'Month', type: 'month', required: true, value: currentMonth(), col: 'col-6 col-md-3' }));
  showPeriod('month');
  kindOf.querySelector('select')!.addEventListener('change', (e) => showPeriod((e.target as HTMLSelectElement).value));

  const accounts = h('div');
  let accountCount = 0;
  void fetchAccounts().then((list) => {
    accountCount = list.length;
    // With one account there is nothing to pick.
    if (list.length > 1) replace(accounts, accountPicker(list));
  }, () => {});
  const form = h('form', { 'aria-label': 'New report' },
    h('div', { class: 'row g-2' },
      field({ name: 'kind', label: 'Format', type: 'select', options: KINDS, value: 'pdf', col: 'col-12 col-md-3' }),
      kindOf),
    periodFields,
    accounts,
    field({ name: 'include_transactions', label: 'PDF: list every transaction in an appendix (up to 2,000)', type: 'checkbox' }),
    submitButton('Make report'));
  onSubmit(form, async (data) => {
    const report = await call(api.POST('/api/v1/reports', { body: reportRequest(data, accountCount) }));
    toast(report.status === 'ready' ? `${report.file_name} is ready` : `${report.file_name} is being made`);
    await reload();
  });

  root.append(
    h('h1', { class: 'h3 mb-3' }, 'Reports'),
    h('section', { class: 'card mb-4' }, h('div', { class: 'card-body' },
      h('h2', { class: 'h6 card-title' }, 'Make a report'),
      h('p', { class: 'small text-secondary' }, 'The same numbers as the dashboard, to keep or hand on: a PDF with charts, an Excel workbook, or every transaction as CSV.'),
      form)),
    h('h2', { class: 'h5' }, 'Your reports'),
    list);
  return () => clearTimeout(timer);
};
