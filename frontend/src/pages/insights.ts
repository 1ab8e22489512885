import { api, call, type Schemas } from '../api/client';
import { formatDate } from '../format/dates';
import { formatMoney } from '../format/money';
import type { Page } from '../router';
import { h } from '../ui/dom';
import { emptyState, guarded, loadInto, toast } from '../ui/feedback';

type InsightList = Schemas['InsightList'];
type Insight = Schemas['Insight'];
type AnomalyList = Schemas['AnomalyList'];
type Anomaly = Schemas['Anomaly'];
type UpcomingBills = Schemas['UpcomingBills'];

const SEVERITY_TONE: Record<string, string> = { high: 'danger', medium: 'warning', low: 'secondary' };

export const insightsPage: Page = ({ root }) => {
  const said = h('section', { 'aria-label': 'Insights', class: 'mb-4' });
  const unusual = h('section', { 'aria-label': 'Anomalies', class: 'mb-4' });
  const due = h('section', { 'aria-label': 'Upcoming bills', class: 'mb-4' });
  const dismissInsight = async (id: number) => {
    await call(api.PATCH('/api/v1/insights/{id}', { params: { path: { id } }, body: { dismissed: true } }));
    toast('Insight dismissed');
    await reloadInsights();
  };
  const markFine = async (id: number) => {
    await call(api.PATCH('/api/v1/anomalies/{id}', { params: { path: { id } }, body: { dismissed: true } }));
    toast('Marked as fine: similar ones will not be raised');
    await Promise.all([reloadAnomalies(), reloadInsights()]);
  };
  const reloadInsights = loadInto(said, () => call(api.GET('/api/v1/insights')), (list) => insightsView(list, dismissInsight));
  const reloadAnomalies = loadInto(unusual, () => call(api.GET('/api/v1/anomalies')), (list) => anomaliesView(list, markFine));
  loadInto(due, () => call(api.GET('/api/v1/bills/upcoming')), billsView);
  root.append(h('h1', { class: 'h3 mb-3' }, 'Insights'), said, unusual, due);
};

function severityBadge(severity: string): HTMLElement {
  return h('span', { class: `badge text-bg-${SEVERITY_TONE[severity] ?? 'secondary'}` }, severity);
}

/** The sentences, most severe first, each with its figures and a dismiss button. */
export function insightsView(list: InsightList, dismiss: (id: number) => Promise<void>): HTMLElement {
  const notYet = list.not_enough_data.map((n) => h('li', { class: 'small text-secondary' }, `${n.kind.replace(/_/g, ' ')}: ${n.message}`));
  return h('div', null,
    h('h2', { class: 'h5' }, 'What your numbers say'),
    list.items.length === 0
      ? emptyState('Nothing to point out right now.')
      : h('ul', { class: 'list-group mb-2' }, list.items.map((i) => insightItem(i, dismiss))),
    notYet.length > 0 && h('ul', { class: 'list-unstyled mb-0', 'aria-label': 'Not enough data yet' }, notYet));
}

function insightItem(insight: Insight, dismiss: (id: number) => Promise<void>): HTMLElement {
  return h('li', { class: 'list-group-item d-flex flex-wrap gap-2 align-items-start', 'data-insight': insight.kind },
    severityBadge(insight.severity),
    h('span', { class: 'me-auto text-break' }, insight.message),
    h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', onclick: guarded(() => dismiss(insight.id)) }, 'Dismiss'));
}

/** The dashboard's card: the most severe few, and the way to the rest. */
export function topInsightsView(list: InsightList, shown = 3): HTMLElement {
  const top = list.items.slice(0, shown);
  return h('div', { class: 'card mb-3' },
    h('div', { class: 'card-body' },
      h('h2', { class: 'h6 card-title d-flex gap-2' }, 'Top insights',
        h('a', { class: 'ms-auto small', href: '/insights' }, 'All insights')),
      top.length === 0
        ? h('p', { class: 'small text-secondary mb-0' }, 'Nothing to point out right now.')
        : h('ul', { class: 'list-unstyled mb-0' }, top.map((i) =>
          h('li', { class: 'd-flex gap-2 align-items-start mb-1', 'data-insight': i.kind },
            severityBadge(i.severity), h('span', { class: 'text-break' }, i.message))))));
}

/** Unusual payments and months with their reason, and "this is fine". */
export function anomaliesView(list: AnomalyList, fine: (id: number) => Promise<void>): HTMLElement {
  return h('div', null,
    h('h2', { class: 'h5' }, 'Unusual this quarter'),
    list.items.length === 0
      ? emptyState(list.not_enough_data ? list.not_enough_data.message : 'Nothing unusual in the last 90 days.')
      : h('ul', { class: 'list-group' }, list.items.map((a) => anomalyItem(a, fine))),
    list.silenced > 0 && h('p', { class: 'small text-secondary mt-1 mb-0' },
      `${list.silenced} similar to ones you marked fine were not raised.`));
}

function anomalyItem(anomaly: Anomaly, fine: (id: number) => Promise<void>): HTMLElement {
  return h('li', { class: 'list-group-item d-flex flex-wrap gap-2 align-items-start', 'data-anomaly': anomaly.kind },
    severityBadge(anomaly.severity),
    h('span', { class: 'text-secondary small' }, formatDate(anomaly.date)),
    h('span', { class: 'me-auto text-break' }, anomaly.message),
    h('button', { type: 'button', class: 'btn btn-sm btn-outline-success', onclick: guarded(() => fine(anomaly.id)) }, 'This is fine'));
}

/** Bills due in the next 30 days, with their total. */
export function billsView(bills: UpcomingBills): HTMLElement {
  return h('div', null,
    h('h2', { class: 'h5' }, 'Bills in the next 30 days'),
    bills.items.length === 0
      ? emptyState(bills.not_enough_data ? bills.not_enough_data.message : 'No bills expected.')
      : h('ul', { class: 'list-group mb-1' }, bills.items.map((b) =>
        h('li', { class: 'list-group-item d-flex gap-2' },
          h('span', { class: 'text-secondary small' }, formatDate(b.date)),
          h('span', { class: 'me-auto text-break' }, b.name, b.overdue ? ' (late)' : ''),
          h('span', { class: 'text-nowrap' }, formatMoney(b.amount, b.currency))))),
    bills.totals.map((t) => h('p', { class: 'small mb-0' }, `Total: ${formatMoney(t.amount, t.currency)}`)));
}
