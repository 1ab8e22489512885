// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { Schemas } from '../src/api/client';
import { cleanedCells, layoutFindings, mappingEditor } from '../src/pages/import-mapping';

type Findings = Schemas['LayoutFindings'];

describe('the import preview says how the file was read', () => {
  it('asks for the date order with one button per reading', async () => {
    const findings: Findings = {
      date_order: {
        order: 'mdy', basis: 'ask', candidates: ['dmy', 'mdy'], exporter: null,
        message: 'Every date reads as day/month/year or month/day/year: choose how the dates are written (shown as month/day/year for now).',
      },
      sign: null, wide_rows: null,
    };
    const chosen: string[] = [];
    const node = layoutFindings(findings, async (order) => { chosen.push(order); })!;
    const buttons = [...node.querySelectorAll<HTMLButtonElement>('[data-date-question] button')];
    expect(buttons.map((b) => b.textContent)).toEqual(['Dates are Day Month Year', 'Dates are Month Day Year']);
    buttons[0]!.click();
    expect(chosen).toEqual(['dmy']);
  });

  it('lists the sign convention, rows put together and a decided date order, and is silent otherwise', () => {
    const findings: Findings = {
      date_order: { order: 'mdy', basis: 'exporter', candidates: ['dmy', 'mdy'], exporter: 'Mint', message: "the header is Mint's export" },
      sign: { inverted: true, basis: 'payment_wording', message: 'every sign is flipped' },
      wide_rows: { rows: 2, lines: [3, 4], columns: ['Address'], message: 'joined into Address' },
    };
    const node = layoutFindings(findings, async () => {})!;
    expect([...node.querySelectorAll('li')].map((li) => li.textContent)).toEqual(["the header is Mint's export", 'every sign is flipped', 'joined into Address']);
    expect(node.querySelector('[data-date-question]')).toBeNull();
    const plain: Findings = { date_order: { order: 'ymd', basis: 'content', candidates: ['ymd'], exporter: null, message: 'Dates are read as year-month-day.' }, sign: null, wide_rows: null };
    expect(layoutFindings(plain, async () => {})).toBeNull();
  });

  it('shows a fee charged on top, and lets it be cleared', async () => {
    const mapping = {
      encoding: 'UTF-8', delimiter: ',', skip_rows: 0, has_header: true, date_column: 3, date_order: 'ymd',
      amount: { kind: 'single', column: 5 }, decimal_separator: 'point', thousands_separator: null, invert_sign: false,
      fee_column: 6, description_columns: [4],
    } as Schemas['Mapping'];
    const headers = ['Type', 'Product', 'Started Date', 'Completed Date', 'Description', 'Amount', 'Fee', 'Currency', 'State', 'Balance'];
    const applied: Schemas['Mapping'][] = [];
    const editor = mappingEditor(mapping, headers, async (next) => { applied.push(next); });
    const fee = editor.querySelector<HTMLSelectElement>('select[name="fee_column"]')!;
    expect(fee.value).toBe('6');
    expect(fee.closest('[hidden]')).toBeNull();
    const form = editor.querySelector('form')!;
    form.requestSubmit();
    await Promise.resolve();
    fee.value = '';
    form.requestSubmit();
    await Promise.resolve();
    expect(applied.map((m) => m.fee_column)).toEqual([6, null]);
    const split = editor.querySelector<HTMLSelectElement>('select[name="amount_kind"]')!;
    split.value = 'debit_credit';
    split.dispatchEvent(new Event('change', { bubbles: true }));
    expect(fee.closest('[hidden]')).not.toBeNull();
  });

  it('lists the cells whose text changed, and nothing when none did', () => {
    const node = cleanedCells([
      { line: null, field: 'column 1', removed: 1, reason: 'control_characters' },
      { line: 3, field: 'description', removed: 2, reason: 'control_characters' },
      { line: 4, field: 'payee', removed: 15800, reason: 'longer_than_a_merchant_name' },
    ])!;
    expect(node.querySelector('.fw-semibold')!.textContent).toBe('Text changed in 3 cells');
    expect([...node.querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      'Header, column 1: 1 control character removed',
      'Line 3, description: 2 control characters removed',
      'Line 4, payee: cut to 200 characters (15800 left out)',
    ]);
    const many = Array.from({ length: 25 }, (_, i) => ({ line: i + 2, field: 'memo', removed: 1, reason: 'control_characters' as const }));
    const items = [...cleanedCells(many)!.querySelectorAll('li')].map((li) => li.textContent);
    expect(items).toHaveLength(21);
    expect(items[20]).toBe('and 5 more');
    expect(cleanedCells([])).toBeNull();
  });
});
