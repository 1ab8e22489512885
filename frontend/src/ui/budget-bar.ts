import type { Schemas } from '../api/client';
import { formatMoney } from '../format/money';
import { h } from './dom';

type MonthStatus = Schemas['MonthStatus'];

const TONE: Record<MonthStatus['status'], { bar: string; text: string }> = {
  ok: { bar: 'bg-success', text: 'On track' },
  warning: { bar: 'bg-warning', text: 'Close to the limit' },
  over: { bar: 'bg-danger', text: 'Over budget' },
};

/** A budget's month as a progress bar: green / amber / red, with the standing also in words. */
export function budgetBar(status: MonthStatus, currency: string): HTMLElement {
  const tone = TONE[status.status];
  const percent = Math.round(status.percent ?? (status.spent > 0 ? 100 : 0));
  const projected = status.projected > status.spent && status.projected > status.limit
    ? ` · heading for ${formatMoney(status.projected, currency)}` : '';
  return h('div', { class: 'budget mb-3', 'data-status': status.status },
    h('div', { class: 'd-flex flex-wrap justify-content-between gap-1 small' },
      h('span', { class: 'fw-semibold d-flex align-items-center gap-2' },
        status.color && h('span', { class: 'swatch', style: `background:${status.color}` }), status.name),
      h('span', { class: 'amount' }, `${formatMoney(status.spent, currency)} of ${formatMoney(status.limit, currency)}`)),
    h('div', {
      class: 'progress mt-1', role: 'progressbar', 'aria-label': `${status.name} budget`,
      'aria-valuenow': String(percent), 'aria-valuemin': '0', 'aria-valuemax': '100',
      'aria-valuetext': `${percent}% spent, ${tone.text.toLowerCase()}`,
    }, h('div', { class: `progress-bar ${tone.bar}`, style: `width:${Math.min(percent, 100)}%` })),
    h('div', { class: 'small text-secondary mt-1' },
      `${percent}% · ${tone.text} · `,
      status.remaining >= 0 ? `${formatMoney(status.remaining, currency)} left` : `${formatMoney(-status.remaining, currency)} over`,
      status.carried !== 0 && ` · ${formatMoney(status.carried, currency, { signed: true })} carried over`,
      projected));
}
