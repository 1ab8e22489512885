import { currentMonth } from '../format/dates';
import { chosenPeriod, periodLabel, shiftPeriod, type Period } from '../state/period';
import { h, uid } from './dom';

/**
 * Previous / next buttons around a month (or year) input, and a Month/Year switch when the page
 * can show a whole year. Calls `onChange` with every new period.
 */
export function periodPicker(initial: Period, onChange: (period: Period) => void, { allowYear = true } = {}): HTMLElement {
  let period = initial;
  const inputId = uid('period');
  const input = h('input', { id: inputId, class: 'form-control', style: 'max-width: 11rem' });
  const kind = h('select', { class: 'form-select', 'aria-label': 'Show a month or a year', style: 'max-width: 7rem' },
    h('option', { value: 'month' }, 'Month'), h('option', { value: 'year' }, 'Year'));
  const label = h('label', { class: 'visually-hidden', for: inputId });

  const show = () => {
    kind.value = period.kind;
    if (period.kind === 'month') {
      Object.assign(input, { type: 'month', value: period.month });
      input.removeAttribute('min');
    } else {
      Object.assign(input, { type: 'number', value: String(period.year), min: '1900', max: '9999' });
    }
    label.textContent = period.kind === 'month' ? 'Month' : 'Year';
    input.title = periodLabel(period);
  };
  const set = (next: Period) => {
    if (JSON.stringify(next) === JSON.stringify(period)) return;
    period = next;
    show();
    chosenPeriod.set(period);
    onChange(period);
  };

  input.addEventListener('change', () => {
    if (period.kind === 'month' && /^\d{4}-\d{2}$/.test(input.value)) set({ kind: 'month', month: input.value });
    else if (period.kind === 'year' && /^\d{4}$/.test(input.value)) set({ kind: 'year', year: Number(input.value) });
  });
  // Back from a year to months: the month last shown if it is in that year, else its January.
  let lastMonth = period.kind === 'month' ? period.month : currentMonth();
  kind.addEventListener('change', () => {
    if (period.kind === 'month') lastMonth = period.month;
    if (kind.value === 'year') {
      set({ kind: 'year', year: Number((period.kind === 'month' ? period.month : lastMonth).slice(0, 4)) });
    } else if (period.kind === 'year') {
      set({ kind: 'month', month: lastMonth.startsWith(`${period.year}-`) ? lastMonth : `${period.year}-01` });
    }
  });
  show();

  return h('div', { class: 'd-flex flex-nowrap gap-2 align-items-center', role: 'group', 'aria-label': 'Period' },
    allowYear && kind,
    h('div', { class: 'input-group flex-nowrap w-auto' },
      h('button', { type: 'button', class: 'btn btn-outline-secondary', 'aria-label': 'Previous period', onclick: () => set(shiftPeriod(period, -1)) }, '‹'),
      label, input,
      h('button', { type: 'button', class: 'btn btn-outline-secondary', 'aria-label': 'Next period', onclick: () => set(shiftPeriod(period, 1)) }, '›')));
}
