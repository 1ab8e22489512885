import type { Schemas } from '../api/client';
import { h } from '../ui/dom';
import { field, onSubmit, submitButton, type Option } from '../ui/forms';

type Mapping = Schemas['Mapping'];
type Amount = NonNullable<Mapping['amount']>;
type Findings = Schemas['LayoutFindings'];
type DateOrder = Schemas['DateOrder'];
type CleanedCell = Schemas['CleanedCell'];

const DATE_ORDERS: Option[] = [['dmy', 'Day Month Year'], ['mdy', 'Month Day Year'], ['ymd', 'Year Month Day'], ['ydm', 'Year Day Month'], ['dym', 'Day Year Month'], ['myd', 'Month Year Day']];
const DECIMALS: Option[] = [['point', '1234.56 (point)'], ['comma', '1234,56 (comma)']];
const THOUSANDS: Option[] = [['', 'none'], [',', '1,234'], ['.', '1.234'], [' ', '1 234'], ["'", "1'234"]];

/**
 * The detected mapping as a form: which column is which and how dates and amounts are written.
 * Submitting hands the corrected mapping to `apply` (which re-previews the file).
 */
export function mappingEditor(mapping: Mapping, headers: string[], apply: (next: Mapping) => Promise<void>, open = false): HTMLElement {
  const columns: Option[] = headers.map((name, i) => [String(i), `${i + 1}: ${name || '(no name)'}`]);
  const optional: Option[] = [['', '— none —'], ...columns];
  const col = (v: number | null | undefined) => (v == null ? '' : String(v));
  const amount = mapping.amount;
  const kind = amount?.kind === 'debit_credit' ? 'debit_credit' : amount?.kind === 'direction' ? 'direction' : 'single';

  const amountKind = field({ name: 'amount_kind', label: 'Amounts are in', type: 'select', value: kind, col: 'col-12 col-md-4',
    options: [['single', 'one signed column'], ['debit_credit', 'separate money out / money in columns'], ...(kind === 'direction' ? [['direction', 'a column with a direction flag'] as Option] : [])] });
  const single = field({ name: 'amount_column', label: 'Amount column', type: 'select', options: columns, col: 'col-6 col-md-4',
    value: col(amount && amount.kind !== 'debit_credit' ? amount.column : null) });
  const debit = field({ name: 'debit_column', label: 'Money out column', type: 'select', options: columns, col: 'col-6 col-md-4',
    value: col(amount?.kind === 'debit_credit' ? amount.debit : null) });
  const credit = field({ name: 'credit_column', label: 'Money in column', type: 'select', options: columns, col: 'col-6 col-md-4',
    value: col(amount?.kind === 'debit_credit' ? amount.credit : null) });
  const fee = field({ name: 'fee_column', label: 'Fee charged on top (subtracted)', type: 'select', options: optional, col: 'col-6 col-md-4',
    value: col(mapping.fee_column) });
  const showAmountFields = () => {
    const split = (amountKind.querySelector('select') as HTMLSelectElement).value === 'debit_credit';
    single.hidden = split;
    fee.hidden = split;
    debit.hidden = !split;
    credit.hidden = !split;
  };
  amountKind.addEventListener('change', showAmountFields);
  showAmountFields();

  const descriptions = h('fieldset', { class: 'col-12 mb-3' },
    h('legend', { class: 'form-label fs-6' }, 'Description from'),
    h('div', { class: 'd-flex flex-wrap gap-3' }, columns.map(([value, label]) => field({
      name: 'description_columns', label, type: 'checkbox', value: mapping.description_columns?.includes(Number(value)) ?? false,
      attrs: { value },
    }))));

  const form = h('form', { class: 'row g-2 border rounded p-2 pt-3 bg-body-tertiary', 'aria-label': 'Column mapping' },
    field({ name: 'date_column', label: 'Date column', type: 'select', options: columns, value: col(mapping.date_column), col: 'col-6 col-md-4' }),
    field({ name: 'date_order', label: 'Dates are written', type: 'select', options: DATE_ORDERS, value: mapping.date_order ?? 'dmy', col: 'col-6 col-md-4' }),
    field({ name: 'payee_column', label: 'Payee column', type: 'select', options: optional, value: col(mapping.payee_column), col: 'col-12 col-md-4' }),
    amountKind, single, fee, debit, credit,
    field({ name: 'decimal_separator', label: 'Decimal mark', type: 'select', options: DECIMALS, value: mapping.decimal_separator ?? 'point', col: 'col-6 col-md-4' }),
    field({ name: 'thousands_separator', label: 'Thousands', type: 'select', options: THOUSANDS, value: mapping.thousands_separator ?? '', col: 'col-6 col-md-4' }),
    field({ name: 'skip_rows', label: 'Lines before the header', type: 'number', value: String(mapping.skip_rows ?? 0), col: 'col-6 col-md-4', attrs: { min: '0' } }),
    descriptions,
    field({ name: 'has_header', label: 'The first line names the columns', type: 'checkbox', value: mapping.has_header ?? false, col: 'col-12 col-md-6' }),
    field({ name: 'invert_sign', label: 'Purchases are positive numbers (flip signs)', type: 'checkbox', value: mapping.invert_sign ?? false, col: 'col-12 col-md-6' }),
    h('div', { class: 'col-12' }, submitButton('Update preview', 'outline-primary')));

  onSubmit(form, async (data) => {
    const num = (name: string) => (data.get(name) === '' || data.get(name) === null ? null : Number(data.get(name)));
    let nextAmount: Amount;
    const chosen = data.get('amount_kind');
    if (chosen === 'debit_credit') nextAmount = { kind: 'debit_credit', debit: num('debit_column') ?? 0, credit: num('credit_column') ?? 0 };
    else if (chosen === 'direction' && amount?.kind === 'direction') nextAmount = { ...amount, column: num('amount_column') ?? amount.column };
    else nextAmount = { kind: 'single', column: num('amount_column') ?? 0 };
    await apply({
      ...mapping,
      date_column: num('date_column'),
      date_order: data.get('date_order') as Mapping['date_order'],
      payee_column: num('payee_column'),
      amount: nextAmount,
      fee_column: nextAmount.kind === 'debit_credit' ? null : num('fee_column'),
      decimal_separator: data.get('decimal_separator') as Mapping['decimal_separator'],
      thousands_separator: String(data.get('thousands_separator') ?? '') || null,
      skip_rows: num('skip_rows') ?? 0,
      description_columns: data.getAll('description_columns').map(Number),
      has_header: data.has('has_header'),
      invert_sign: data.has('invert_sign'),
    });
  });

  return h('details', { class: 'mb-2', open },
    h('summary', { class: 'mb-2' }, 'Columns and formats (detected — correct them if the rows below look wrong)'),
    form);
}

/**
 * What reading the file decided that deserves a look: how the date order was chosen, which way
 * round the amounts are, rows put back together. Dates that read two ways with nothing to tell
 * are a question with one button per reading; `choose` re-previews with the answer.
 */
export function layoutFindings(findings: Findings, choose: (order: DateOrder) => Promise<void>): HTMLElement | null {
  const notes = [findings.sign?.message, findings.wide_rows?.message].filter((m): m is string => !!m);
  const dates = findings.date_order;
  const asked = dates?.basis === 'ask' ? dates : null;
  if (dates && !asked && dates.basis !== 'content') notes.unshift(dates.message);
  if (!asked && notes.length === 0) return null;
  const label = (order: DateOrder) => DATE_ORDERS.find(([value]) => value === order)?.[1] ?? order;
  return h('div', { class: 'mb-2', 'data-findings': '' },
    asked && h('div', { class: 'alert alert-warning small', 'data-date-question': '' },
      h('div', { class: 'fw-semibold mb-1' }, asked.message),
      h('div', { class: 'd-flex flex-wrap gap-2' }, asked.candidates.map((order) =>
        h('button', { type: 'button', class: 'btn btn-sm btn-outline-dark', 'data-order': order, onclick: () => void choose(order) },
          `Dates are ${label(order)}`)))),
    notes.length > 0 && h('ul', { class: 'small text-secondary mb-0 ps-3' }, notes.map((note) => h('li', null, note))));
}

/** How many changed cells the preview lists; the API sends at most 200. */
const CLEANED_SHOWN = 20;

/**
 * Cells whose text changed on the way in: control characters dropped, a payee cut to a merchant
 * name's 200 characters. Nothing when none did.
 */
export function cleanedCells(cells: CleanedCell[]): HTMLElement | null {
  if (cells.length === 0) return null;
  const where = (cell: CleanedCell) => (cell.line == null ? `Header, ${cell.field}` : `Line ${cell.line}, ${cell.field}`);
  const what = (cell: CleanedCell) => (cell.reason === 'longer_than_a_merchant_name'
    ? `cut to 200 characters (${cell.removed} left out)`
    : `${cell.removed} control character${cell.removed === 1 ? '' : 's'} removed`);
  const more = cells.length - CLEANED_SHOWN;
  return h('div', { class: 'small text-secondary mb-2', 'data-cleaned': '' },
    h('div', { class: 'fw-semibold' }, `Text changed in ${cells.length} cell${cells.length === 1 ? '' : 's'}`),
    h('ul', { class: 'mb-0 ps-3' },
      cells.slice(0, CLEANED_SHOWN).map((cell) => h('li', null, `${where(cell)}: ${what(cell)}`)),
      more > 0 && h('li', null, `and ${more} more`)));
}
