import { api, call, type Schemas } from '../api/client';
import { amountFrom } from '../api/reference';
import { formatDate, monthLabel } from '../format/dates';
import { formatMoney } from '../format/money';
import type { Page } from '../router';
import { currentUser } from '../state/session';
import { Charts, chartCanvas, SERIES } from '../ui/charts';
import { h } from '../ui/dom';
import { emptyState, guarded, loadInto, toast } from '../ui/feedback';
import { field, numberOrNull, onSubmit, submitButton, text } from '../ui/forms';

type Goal = Schemas['GoalResponse'];

const STATUS: Record<Goal['progress']['status'], [label: string, tone: string]> = {
  on_track: ['On track', 'success'],
  behind: ['Needs more per month', 'warning'],
  reached: ['Reached', 'success'],
  no_date: ['No target date', 'secondary'],
};

export const goalsPage: Page = ({ root }) => {
  const charts = new Charts();
  const list = h('div', { class: 'row g-3' });
  const reload: () => Promise<void> = loadInto(list, () => call(api.GET('/api/v1/goals')), ({ items }) => {
    charts.destroy();
    return items.length === 0
      ? emptyState('No goals yet. Set one above: an emergency fund, a holiday, a new laptop.')
      : items.map((g) => goalCard(g, reload, charts));
  });
  const currency = currentUser().base_currency;
  const form = h('form', { class: 'row g-2 align-items-end', 'aria-label': 'New goal' },
    field({ name: 'name', label: 'Goal', required: true, col: 'col-12 col-md-4', attrs: { placeholder: 'Emergency fund' } }),
    field({ name: 'target', label: `Target (${currency})`, required: true, col: 'col-6 col-md-2', attrs: { inputmode: 'decimal' } }),
    field({ name: 'target_date', label: 'By (optional)', type: 'date', col: 'col-6 col-md-2' }),
    field({ name: 'share', label: 'Share of monthly savings %', type: 'number', col: 'col-6 col-md-2', attrs: { min: '1', max: '100', step: '0.01' } }),
    h('div', { class: 'col-6 col-md-2 mb-3 d-grid' }, submitButton('Add goal')));
  onSubmit(form, async (data) => {
    const share = numberOrNull(data, 'share');
    await call(api.POST('/api/v1/goals', {
      body: {
        name: text(data, 'name') ?? '',
        target_amount: amountFrom(data, 'target', currency) ?? 0,
        target_date: text(data, 'target_date'),
        savings_share_bp: share === null ? null : Math.round(share * 100),
      },
    }));
    form.reset();
    toast('Goal added');
    await reload();
  });
  root.append(
    h('h1', { class: 'h3 mb-3' }, 'Goals'),
    h('section', { class: 'card mb-4' }, h('div', { class: 'card-body' }, h('h2', { class: 'h6 card-title' }, 'Set a goal'), form)),
    list);
  return () => charts.destroy();
};

/** The pace and projection in words, saying plainly when there is not enough data yet. */
export function outlook(goal: Goal): string {
  const p = goal.progress;
  if (p.status === 'reached') return 'Reached.';
  if (p.pace === null || p.pace === undefined) return 'Pace: not enough data yet (three months needed).';
  const pace = `Pace: ${formatMoney(p.pace, goal.currency)} a month over the last three months.`;
  if (!p.projection) return `${pace} At this pace it is not getting closer.`;
  const { expected, earliest, latest } = p.projection;
  const range = latest ? `${monthLabel(earliest)} – ${monthLabel(latest)}` : `${monthLabel(earliest)} or later`;
  return `${pace} Expected ${monthLabel(expected)} (${range}).`;
}

export function goalCard(goal: Goal, reload: () => Promise<void>, charts?: Charts): HTMLElement {
  const p = goal.progress;
  const [label, tone] = STATUS[p.status];
  const setState = (state: Goal['state']) => guarded(async () => {
    await call(api.PATCH('/api/v1/goals/{id}', { params: { path: { id: goal.id } }, body: { state } }));
    toast(`Goal ${state === 'active' ? 'resumed' : state}`);
    await reload();
  });
  const remove = guarded(async () => {
    if (!confirm(`Delete the goal “${goal.name}” with its contributions?`)) return;
    await call(api.DELETE('/api/v1/goals/{id}', { params: { path: { id: goal.id } } }));
    toast('Goal deleted');
    await reload();
  });
  const contribution = h('form', { class: 'd-flex gap-2 mt-3', 'aria-label': `Add to ${goal.name}` },
    h('label', { class: 'visually-hidden', for: `add-${goal.id}` }, `Amount to add to ${goal.name}`),
    h('input', { id: `add-${goal.id}`, name: 'amount', class: 'form-control form-control-sm', inputmode: 'decimal', placeholder: 'Add money', required: true }),
    h('button', { type: 'submit', class: 'btn btn-sm btn-outline-primary text-nowrap' }, 'Add'));
  onSubmit(contribution, async (data) => {
    await call(api.POST('/api/v1/goals/{id}/contributions', {
      params: { path: { id: goal.id } }, body: { amount: amountFrom(data, 'amount', goal.currency) ?? 0 },
    }));
    toast('Contribution added');
    await reload();
  });
  const chart = goal.history.length > 1 && charts ? chartCanvas(`Saved for ${goal.name} by month`, 'sm') : null;
  if (chart && charts) {
    charts.add(chart.canvas, {
      type: 'line',
      data: {
        labels: goal.history.map((m) => monthLabel(m.month, undefined, 'short')),
        datasets: [{ label: 'Saved', data: goal.history.map((m) => m.saved), borderColor: SERIES.net, pointRadius: 2, borderWidth: 2 }],
      },
      options: { maintainAspectRatio: false, plugins: { legend: { display: false } },
        scales: { y: { ticks: { callback: (v: string | number) => formatMoney(Math.round(Number(v)), goal.currency, { compact: true }) } } } },
    });
  }
  const width = Math.min(100, Math.max(0, p.percent));
  return h('div', { class: 'col-12 col-lg-6' },
    h('article', { class: 'card h-100', 'data-goal': goal.name },
      h('div', { class: 'card-body' },
        h('div', { class: 'd-flex flex-wrap gap-2 align-items-center mb-2' },
          h('h2', { class: 'h5 mb-0 me-auto' }, goal.name),
          goal.state !== 'active' && h('span', { class: 'badge text-bg-secondary' }, goal.state),
          h('span', { class: `badge text-bg-${tone}`, 'data-status': p.status }, label)),
        h('div', { class: 'progress', role: 'progressbar', 'aria-label': `${goal.name} progress`,
          'aria-valuenow': p.percent, 'aria-valuemin': 0, 'aria-valuemax': 100 },
        h('div', { class: 'progress-bar bg-success', style: `width:${width}%` })),
        h('p', { class: 'mt-2 mb-1 amount' }, `${formatMoney(p.saved, goal.currency)} of ${formatMoney(goal.target_amount, goal.currency)} · ${p.percent}%`),
        h('p', { class: 'small mb-1' }, p.needed_per_month !== null && p.needed_per_month !== undefined && goal.target_date
          ? `${formatMoney(p.needed_per_month, goal.currency)} a month from now to reach it by ${formatDate(goal.target_date)}.`
          : `${formatMoney(p.remaining, goal.currency)} to go.`),
        h('p', { class: 'small text-secondary mb-1' }, outlook(goal)),
        goal.milestones.length > 0 && h('p', { class: 'small mb-1' },
          goal.milestones.map((m) => `${m.percent}% on ${formatDate(m.reached_on)}`).join(' · ')),
        chart?.box,
        contribution,
        h('div', { class: 'btn-group btn-group-sm mt-2' },
          goal.state === 'active'
            ? h('button', { type: 'button', class: 'btn btn-outline-secondary', onclick: setState('paused') }, 'Pause')
            : h('button', { type: 'button', class: 'btn btn-outline-secondary', onclick: setState('active') }, 'Resume'),
          goal.state !== 'completed' && h('button', { type: 'button', class: 'btn btn-outline-secondary', onclick: setState('completed') }, 'Complete'),
          h('button', { type: 'button', class: 'btn btn-outline-secondary', onclick: setState('archived') }, 'Archive'),
          h('button', { type: 'button', class: 'btn btn-outline-danger', onclick: remove }, 'Delete')))));
}
