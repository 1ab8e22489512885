import { api, call, type Schemas } from '../api/client';
import { formatDate, monthLabel } from '../format/dates';
import { formatMoney } from '../format/money';
import type { Page } from '../router';
import { balanceChart, barsHeight, chartCanvas, Charts, forecastChart, type ForecastBar } from '../ui/charts';
import { h } from '../ui/dom';
import { emptyState, guarded, loadInto, toast } from '../ui/feedback';
import { field, onSubmit, submitButton, text } from '../ui/forms';

type InsightList = Schemas['InsightList'];
type Insight = Schemas['Insight'];
type AnomalyList = Schemas['AnomalyList'];
type Anomaly = Schemas['Anomaly'];
type UpcomingBills = Schemas['UpcomingBills'];
type Outlook = Schemas['ForecastOutlook'];
type ForecastItem = Schemas['ForecastItem'];
type BalanceProjection = Schemas['BalanceProjection'];
type RecurringList = Schemas['RecurringList'];
type RecurringSeries = Schemas['RecurringSeries'];
type Recommendations = Schemas['Recommendations'];
type Recommendation = Schemas['Recommendation'];

const SEVERITY_TONE: Record<string, string> = { high: 'danger', medium: 'warning', low: 'secondary' };

/** What a subscription view asks of the page: each answer is kept by the server. */
export interface SeriesActions {
  choose: (id: number, choice: 'confirmed' | 'dismissed') => Promise<void>;
  rename: (id: number, name: string) => Promise<void>;
}

export const insightsPage: Page = ({ root }) => {
  const said = h('section', { 'aria-label': 'Insights', class: 'mb-4' });
  const ahead = h('section', { 'aria-label': 'Forecast', class: 'mb-4' });
  const balance = h('section', { 'aria-label': 'Balance projection', class: 'mb-4' });
  const subscriptions = h('section', { 'aria-label': 'Subscriptions', class: 'mb-4' });
  const suggestions = h('section', { 'aria-label': 'Budget suggestions', class: 'mb-4' });
  const unusual = h('section', { 'aria-label': 'Anomalies', class: 'mb-4' });
  const due = h('section', { 'aria-label': 'Upcoming bills', class: 'mb-4' });
  // Each section's charts, so a section redrawn alone frees only its own.
  const forecastCharts = new Charts();
  const balanceCharts = new Charts();
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
  const seriesChanged = async (message: string) => {
    toast(message);
    // A series' choice changes what counts as a bill: the bills and insights follow it.
    await Promise.all([reloadSubscriptions(), reloadBills(), reloadInsights()]);
  };
  const actions: SeriesActions = {
    choose: async (id, choice) => {
      const s = await call(api.PATCH('/api/v1/recurring/{id}', { params: { path: { id } }, body: { choice } }));
      await seriesChanged(choice === 'confirmed' ? `${s.name} confirmed` : `${s.name} dismissed: it is no longer counted as a bill`);
    },
    rename: async (id, name) => {
      const s = await call(api.PATCH('/api/v1/recurring/{id}', { params: { path: { id } }, body: { name } }));
      await seriesChanged(`Renamed to ${s.name}`);
    },
  };
  const apply = async (r: Recommendation, month: string) => {
    await call(api.POST('/api/v1/budgets/recommendations/{category_id}/apply', {
      params: { path: { category_id: r.category_id }, query: { month } },
    }));
    toast(`Budget for ${r.name} set to ${formatMoney(r.amount ?? 0, r.currency)} from ${monthLabel(month)}`);
    await reloadSuggestions();
  };
  const reloadInsights = loadInto(said, () => call(api.GET('/api/v1/insights')), (list) => insightsView(list, dismissInsight));
  loadInto(ahead, () => call(api.GET('/api/v1/forecast')), (outlook) => {
    forecastCharts.destroy();
    return forecastView(outlook, forecastCharts);
  });
  loadInto(balance, () => call(api.GET('/api/v1/forecast/balance')), (projection) => {
    balanceCharts.destroy();
    return balanceView(projection, balanceCharts);
  });
  const reloadSubscriptions = loadInto(subscriptions, () => call(api.GET('/api/v1/recurring')),
    (list) => subscriptionsView(list, actions));
  const reloadSuggestions = loadInto(suggestions, () => call(api.GET('/api/v1/budgets/recommendations')),
    (list) => recommendationsView(list, apply));
  const reloadAnomalies = loadInto(unusual, () => call(api.GET('/api/v1/anomalies')), (list) => anomaliesView(list, markFine));
  const reloadBills = loadInto(due, () => call(api.GET('/api/v1/bills/upcoming')), billsView);
  root.append(h('h1', { class: 'h3 mb-3' }, 'Insights'), said, ahead, balance, subscriptions, suggestions, unusual, due);
  return () => {
    forecastCharts.destroy();
    balanceCharts.destroy();
  };
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

/** Where an insight leads: its budget's month, its category's transactions of the period. */
export function insightLinks(insight: Insight): HTMLElement[] {
  const links: HTMLElement[] = [];
  if (insight.budget_id != null) links.push(h('a', { class: 'small', href: `/budgets?${new URLSearchParams({ month: insight.period })}` }, 'Budget'));
  if (insight.category_id != null) {
    links.push(h('a', { class: 'small', href: `/transactions?${new URLSearchParams({ category_id: String(insight.category_id), month: insight.period })}` }, 'Transactions'));
  }
  return links;
}

function insightItem(insight: Insight, dismiss: (id: number) => Promise<void>): HTMLElement {
  return h('li', { class: 'list-group-item d-flex flex-wrap gap-2 align-items-start', 'data-insight': insight.kind },
    severityBadge(insight.severity),
    h('span', { class: 'me-auto text-break' }, insight.message),
    insightLinks(insight),
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

/** The forecast's figure in words: the point, the 80% interval and the known part. */
export function forecastWords(item: ForecastItem, currency: string, knownAs: string | null = 'known bills'): string {
  if (item.amount == null || item.low == null || item.high == null) return item.not_enough_data?.message ?? 'no forecast';
  const known = knownAs && item.known_amount !== 0 ? `; ${formatMoney(item.known_amount, currency)} of it ${knownAs}` : '';
  return `${formatMoney(item.amount, currency)} (80% likely between ${formatMoney(item.low, currency)} and ${formatMoney(item.high, currency)})${known}`;
}

/** The rows a forecast chart draws: the total first, then each category that has a forecast. */
export function forecastBars(items: ForecastItem[]): ForecastBar[] {
  return items.flatMap((i) => (i.amount != null && i.low != null && i.high != null
    ? [{ name: i.name, amount: i.amount, low: i.low, high: i.high }]
    : []));
}

function basisDetails(item: ForecastItem, currency: string): HTMLElement | null {
  if (!item.basis) return null;
  return h('details', { class: 'forecast-basis small' },
    h('summary', null, 'What it rests on'),
    h('p', { class: 'mb-1 mt-1' }, `Forecast by ${item.basis}.`),
    item.backtests.length > 0 && h('p', { class: 'mb-0 text-secondary' },
      'Checked on your own past months: ',
      item.backtests.map((b) => `${METHOD_NAMES[b.method]} off by ${formatMoney(Math.round(b.mae), currency)} a month on average over ${b.origins} months`).join('; '),
      '.'));
}

const METHOD_NAMES: Record<string, string> = {
  naive: 'last month', seasonal_naive: 'same month last year', mean3: 'mean of 3 months', median: 'median month',
};

/** Next month's spending per category and in total: bars with their 80% band, and each in words. */
export function forecastView(outlook: Outlook, charts: Pick<Charts, 'add'>): HTMLElement {
  const { currency } = outlook;
  const title = h('h2', { class: 'h5' }, `Spending forecast for ${monthLabel(outlook.month)}`);
  if (outlook.not_enough_data) return h('div', null, title, emptyState(capitalized(outlook.not_enough_data.message)));
  const items = [outlook.spending, ...outlook.categories];
  const bars = forecastBars(items);
  let chart: HTMLElement | null = null;
  if (bars.length > 0) {
    const { box, canvas } = chartCanvas(`Forecast spending in ${monthLabel(outlook.month)} with 80% intervals`, barsHeight(bars.length));
    charts.add(canvas, forecastChart(bars, currency));
    chart = box;
  }
  return h('div', null, title,
    h('p', { class: 'small text-secondary' },
      `From ${outlook.history_months} complete months of your history; the band is where the month lands 8 times in 10. Income ${forecastWords(outlook.income, currency, 'recurring income')}; net savings ${forecastWords(outlook.net, currency, null)}.`),
    chart,
    h('ul', { class: 'list-group mt-2' }, items.map((item) => h('li', { class: 'list-group-item', 'data-forecast': item.name },
      h('div', { class: 'd-flex flex-wrap gap-2' },
        h('span', { class: 'fw-semibold me-auto text-break' }, item.name),
        h('span', { class: item.amount == null ? 'small text-secondary' : 'small' }, forecastWords(item, currency))),
      basisDetails(item, currency)))));
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Each account's balance over the days ahead, the lowest point marked and said in words. */
export function balanceView(projection: BalanceProjection, charts: Pick<Charts, 'add'>): HTMLElement {
  const title = h('h2', { class: 'h5' }, 'Balance over the next 90 days');
  if (projection.items.length === 0) return h('div', null, title, emptyState('No accounts yet.'));
  return h('div', null, title, h('div', { class: 'row g-3' }, projection.items.map((p) => {
    const { box, canvas } = chartCanvas(`${p.name}: projected balance`, 220);
    charts.add(canvas, balanceChart(p.days, p.low, p.currency));
    const lowText = p.low.balance < p.balance
      ? `Lowest point: ${formatMoney(p.low.balance, p.currency)} on ${formatDate(p.low.date)}`
      : `Lowest point: today's ${formatMoney(p.balance, p.currency)}; it is not expected to fall below that`;
    return h('div', { class: 'col-lg-6', 'data-balance': p.name },
      h('div', { class: 'card h-100' }, h('div', { class: 'card-body' },
        h('h3', { class: 'h6 card-title' }, p.name, ' ',
          h('span', { class: 'text-secondary fw-normal' }, `today ${formatMoney(p.balance, p.currency)}`)),
        h('p', { class: `small mb-2${p.low.balance < 0 ? ' text-danger fw-semibold' : ''}`, 'data-low': '' }, lowText),
        box,
        p.known.length > 0 && h('p', { class: 'small text-secondary mb-0 mt-2' },
          `Counted on their dates: ${p.known.slice(0, 4).map((k) => `${k.name} ${formatMoney(k.amount, p.currency)} on ${formatDate(k.date)}`).join(', ')}${p.known.length > 4 ? ` and ${p.known.length - 4} more` : ''}. The rest of your spending is spread at ${formatMoney(p.variable_per_day, p.currency, { signed: true })} a day.`))));
  })));
}

const CADENCE: Record<string, string> = {
  weekly: 'weekly', biweekly: 'every 2 weeks', monthly: 'monthly', quarterly: 'quarterly', yearly: 'yearly',
};

/** Recurring spending (bills and subscriptions) with their price changes, to confirm, rename or dismiss. */
export function subscriptionsView(list: RecurringList, actions: SeriesActions): HTMLElement {
  const spending = list.items.filter((s) => s.direction === 'expense');
  return h('div', null,
    h('h2', { class: 'h5' }, 'Subscriptions and bills'),
    spending.length === 0
      ? emptyState(list.not_enough_data ? capitalized(list.not_enough_data.message) : 'No recurring payments found.')
      : h('ul', { class: 'list-group' }, spending.map((s) => seriesItem(s, actions))));
}

function seriesItem(s: RecurringSeries, actions: SeriesActions): HTMLElement {
  const renameSlot = h('div');
  const rename = () => {
    if (renameSlot.hasChildNodes()) {
      renameSlot.replaceChildren();
      return;
    }
    const form = h('form', { class: 'd-flex flex-wrap align-items-end gap-2 mt-2', 'aria-label': `Rename ${s.name}` },
      field({ name: 'name', label: `New name for ${s.name}`, value: s.name, required: true, attrs: { maxlength: '100' }, col: 'mb-0 flex-grow-1' }),
      submitButton('Save', 'primary btn-sm'));
    onSubmit(form, async (data) => actions.rename(s.id, text(data, 'name') ?? s.name));
    renameSlot.append(form);
    form.querySelector('input')?.focus();
  };
  const named = s.name !== s.merchant;
  return h('li', { class: 'list-group-item', 'data-series': s.name },
    h('div', { class: 'd-flex flex-wrap gap-2 align-items-baseline' },
      h('span', { class: 'fw-semibold text-break' }, s.name),
      named && h('span', { class: 'small text-secondary text-break' }, s.merchant),
      h('span', { class: 'badge text-bg-light border' }, CADENCE[s.cadence] ?? s.cadence),
      s.choice === 'confirmed' && h('span', { class: 'badge text-bg-success' }, 'confirmed'),
      s.status !== 'active' && h('span', { class: 'badge text-bg-warning' }, s.status),
      h('span', { class: 'ms-auto amount' }, formatMoney(-s.typical_amount, s.currency))),
    h('div', { class: 'small text-secondary' },
      s.next_date
        ? `Next ${formatMoney(-(s.next_amount ?? s.typical_amount), s.currency)} on ${formatDate(s.next_date)}`
        : `Last paid ${formatDate(s.last_date)}`,
      ` · ${s.payments} payments · ${Math.round(s.confidence * 100)}% sure`),
    s.changes.length > 0 && h('ul', { class: 'small mb-1 mt-1 ps-3', 'aria-label': `Changes to ${s.name}` },
      s.changes.map((c) => h('li', { 'data-change': c.kind }, c.message))),
    h('div', { class: 'd-flex flex-wrap gap-2 mt-2' },
      s.choice !== 'confirmed' && h('button', { type: 'button', class: 'btn btn-sm btn-outline-success', 'aria-label': `Confirm ${s.name}`, onclick: guarded(() => actions.choose(s.id, 'confirmed')) }, 'Confirm'),
      h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', 'aria-label': `Rename ${s.name}`, onclick: rename }, 'Rename'),
      h('button', { type: 'button', class: 'btn btn-sm btn-outline-danger', 'aria-label': `Dismiss ${s.name}`, onclick: guarded(() => actions.choose(s.id, 'dismissed')) }, 'Dismiss')),
    renameSlot);
}

/** A suggestion counts as applied once your budget for the category has its amount. */
export function isApplied(r: Recommendation): boolean {
  return r.amount != null && r.current_limit === r.amount;
}

/** Suggested monthly limits with their reason, each applied as a budget in one tap. */
export function recommendationsView(list: Recommendations, apply: (r: Recommendation, month: string) => Promise<void>): HTMLElement {
  return h('div', null,
    h('h2', { class: 'h5' }, `Budget suggestions for ${monthLabel(list.month)}`),
    list.items.length === 0
      ? emptyState('No spending to suggest budgets from yet.')
      : h('ul', { class: 'list-group' }, list.items.map((r) => h('li', { class: 'list-group-item', 'data-recommendation': r.name },
        h('div', { class: 'd-flex flex-wrap gap-2 align-items-baseline' },
          h('span', { class: 'fw-semibold me-auto text-break' }, r.name),
          r.amount != null && h('span', { class: 'amount' }, `${formatMoney(r.amount, r.currency)} a month`)),
        h('div', { class: 'small text-secondary' }, r.not_enough_data ? capitalized(r.not_enough_data.message) : capitalized(r.reason)),
        r.current_limit != null && !isApplied(r) && h('div', { class: 'small' }, `Your budget now: ${formatMoney(r.current_limit, r.currency)}`),
        r.amount != null && h('div', { class: 'mt-2' }, isApplied(r)
          ? h('span', { class: 'badge text-bg-success', 'data-applied': '' }, 'Applied: this is your budget')
          : h('button', { type: 'button', class: 'btn btn-sm btn-primary', 'aria-label': `Apply ${r.name} budget`, onclick: guarded(() => apply(r, list.month)) },
            r.budget_id != null ? 'Apply to my budget' : 'Apply as budget'))))));
}
