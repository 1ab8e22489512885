import { api, ApiProblem, call, type Schemas } from '../api/client';
import { currentMonth, formatDate, isMonth, monthLabel } from '../format/dates';
import { formatMoney, formatPercent } from '../format/money';
import type { Page } from '../router';
import { askedPeriod, fallbackNote, periodLabel, periodParams, writePeriod, type Period } from '../state/period';
import { budgetBar } from '../ui/budget-bar';
import { barsHeight, Charts, categoryDoughnut, chartCanvas, cumulativeChart, forecastChart, incomeSpendingChart, shareLegend, type ForecastBar } from '../ui/charts';
import { h, replace, type Child } from '../ui/dom';
import { emptyState, loadInto } from '../ui/feedback';
import { periodPicker } from '../ui/period-picker';
import { forecastWords, topInsightsView } from './insights';

type Dashboard = Schemas['Dashboard'];
type BudgetMonth = Schemas['BudgetMonth'];
type Outlook = Schemas['ForecastOutlook'];

export const dashboardPage: Page = ({ root, query, setQuery }) => {
  const charts = new Charts();
  // Unasked, the server picks the month: the latest with data when this one has none.
  let period = askedPeriod(query);
  const body = h('div');
  const pickerSlot = h('div');
  const showPicker = (shown: Period) => replace(pickerSlot, periodPicker(shown, (next) => {
    period = next;
    setQuery(writePeriod(query, next));
    void reload();
  }));

  const reload = loadInto(body, () => load(period), ([dashboard, budgets, outlook]) => {
    charts.destroy();
    if (!period) {
      period = { kind: 'month', month: dashboard.period.label };
      showPicker(period);
    }
    return render(dashboard, budgets, outlook, period, charts);
  });
  if (period) showPicker(period);
  const top = h('section', { 'aria-label': 'Top insights' });
  loadInto(top, () => call(api.GET('/api/v1/insights')), (list) => topInsightsView(list));
  root.append(
    h('div', { class: 'd-flex flex-wrap justify-content-between align-items-center gap-2 mb-3' },
      h('h1', { class: 'h3 mb-0' }, 'Dashboard'), pickerSlot),
    top,
    body);
  return () => charts.destroy();
};

async function load(period: Period | null): Promise<[Dashboard, BudgetMonth | null, Outlook | null]> {
  const dashboard = call(api.GET('/api/v1/dashboard', { params: { query: period ? periodParams(period) : {} } }));
  // Budgets and the forecast are monthly: a year view shows neither. Only the month in progress
  // has a forecast next to its actual; that is the dashboard's one extra request.
  const monthly = (month: string) => Promise.all([
    call(api.GET('/api/v1/budgets', { params: { query: { month } } })),
    month === currentMonth() ? monthForecast(month) : Promise.resolve(null),
  ]);
  if (!period) {
    const d = await dashboard;
    return [d, ...(await monthly(d.period.label))];
  }
  const [d, [budgets, outlook]] = await Promise.all([
    dashboard,
    period.kind === 'month' ? monthly(period.month) : Promise.resolve([null, null] as const),
  ]);
  return [d, budgets, outlook];
}

/** The month's forecast; none when the server's month has already turned (near midnight UTC). */
async function monthForecast(month: string): Promise<Outlook | null> {
  try {
    return await call(api.GET('/api/v1/forecast', { params: { query: { month } } }));
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 422) return null;
    throw error;
  }
}

function render(d: Dashboard, budgets: BudgetMonth | null, outlook: Outlook | null, period: Period, charts: Charts): Child[] {
  const currency = d.currency;
  const note = fallbackNote(d.fell_back_from, d.period.label);
  const hasActivity = d.summary.income !== 0 || d.summary.spending !== 0 || d.summary.refunds !== 0 || d.other_currencies.length > 0;
  if (!hasActivity && d.monthly.datasets.every((s) => s.data.every((v) => v === 0))) {
    return [emptyState(`Nothing recorded for ${periodLabel(period)} yet.`,
      h('a', { class: 'btn btn-primary', href: '/import' }, 'Import a bank file'))];
  }

  const monthly = chartCanvas('Income, spending and net per month');
  charts.add(monthly.canvas, incomeSpendingChart(d.monthly, currency));

  const byCategory = d.spending_by_category.length > 0 ? chartCanvas('Spending by category', 'sm') : null;
  if (byCategory) charts.add(byCategory.canvas, categoryDoughnut(d.spending_by_category, currency));

  const cumulative = d.daily_cumulative ? chartCanvas('Spending so far this month and last month', 'sm') : null;
  if (cumulative && d.daily_cumulative) charts.add(cumulative.canvas, cumulativeChart(d.daily_cumulative, currency));

  const transactionsLink = (extra: Record<string, string>) => `/transactions?${writePeriod(new URLSearchParams(extra), period)}`;

  return [
    note && h('div', { class: 'alert alert-secondary py-2 small', 'data-fallback': d.fell_back_from ?? '' }, note),
    h('div', { class: 'row g-3 mb-3', 'aria-label': 'Summary' }, summaryCards(d)),
    d.other_currencies.length > 0 && h('p', { class: 'small text-secondary' },
      `Not included above (other currencies): `,
      d.other_currencies.map((o) => `${formatMoney(o.income, o.currency)} in, ${formatMoney(o.spending, o.currency)} out`).join('; ')),
    d.uncategorized_count > 0 && h('div', { class: 'alert alert-info py-2 small' },
      `${d.uncategorized_count} transaction${d.uncategorized_count === 1 ? ' has' : 's have'} no category yet. `,
      h('a', { href: transactionsLink({ uncategorized: 'true' }) }, 'Categorize them')),
    h('div', { class: 'row g-3 mb-3' },
      card('Income and spending', 'col-lg-8', monthly.box),
      card('Spending by category', 'col-lg-4', byCategory
        ? [byCategory.box, shareLegend(d.spending_by_category, currency)]
        : h('p', { class: 'text-secondary' }, 'No spending in this period.'),
      d.refunds_by_category.length > 0 ? refundsList(d, currency) : null)),
    period.kind === 'month' && h('div', { class: 'row g-3 mb-3' },
      card(outlook ? 'Spent so far and forecast for the month' : 'Spent this month', 'col-12',
        forecastVsActual(outlook, d.summary.spending, d.period.label, currency, charts))),
    h('div', { class: 'row g-3 mb-3' },
      cumulative && card('This month vs last', 'col-lg-6', cumulative.box),
      budgets && card('Budgets', 'col-lg-6', budgetSection(budgets))),
    h('div', { class: 'row g-3' },
      card('Top merchants', 'col-lg-6', rankedList(d.top_merchants.map((m) => [m.name, `${m.count}×`, m.amount]), currency, 'No merchants yet.')),
      card('Largest expenses', 'col-lg-6', rankedList(d.largest_expenses.map((e) => [e.description, formatDate(e.date), -e.amount]), currency, 'No expenses yet.'))),
  ];
}

/** Refunds beyond a category's spending: money back, never a negative slice of spending. */
function refundsList(d: Dashboard, currency: string): HTMLElement {
  return h('div', { class: 'mt-3', 'data-refunds': '' },
    h('h3', { class: 'h6 small text-secondary mb-1' }, `Refunded beyond spending: ${formatMoney(d.summary.refunds, currency)}`),
    rankedList(d.refunds_by_category.map((r) => [r.name, `${r.count}×`, r.amount]), currency, ''));
}

function card(title: string, col: string, ...content: (Node | Node[] | null)[]): HTMLElement {
  return h('section', { class: col },
    h('div', { class: 'card h-100' }, h('div', { class: 'card-body' },
      h('h2', { class: 'h6 card-title mb-3' }, title), ...content)));
}

interface Delta {
  text: string;
  up: boolean;
  good: boolean;
}

/** Income, spending, net and savings rate, each with its change against the previous period. */
function summaryCards(d: Dashboard): HTMLElement[] {
  const { summary: now, previous: before, change, currency } = d;
  const percent = (value: number | null | undefined, higherIsGood: boolean): Delta | null => value == null ? null : {
    text: formatPercent(value / 100, { signed: true }), up: value >= 0, good: higherIsGood === value >= 0,
  };
  const rate: Delta | null = now.savings_rate != null && before.savings_rate != null ? {
    // Percentage points: the rates themselves are percentages.
    text: `${formatPercent(now.savings_rate - before.savings_rate, { signed: true }).replace('%', '')} pts`,
    up: now.savings_rate >= before.savings_rate, good: now.savings_rate >= before.savings_rate,
  } : null;
  const items: [string, string, string, Delta | null][] = [
    ['income', 'Income', formatMoney(now.income, currency), percent(change.income_percent, true)],
    ['spending', 'Spending', formatMoney(now.spending, currency), percent(change.spending_percent, false)],
    ['net', 'Net', formatMoney(now.net, currency, { signed: true }), percent(change.net_percent, true)],
    ['savings-rate', 'Savings rate', now.savings_rate == null ? '—' : formatPercent(now.savings_rate), rate],
  ];
  const label = d.previous_period.label;
  const previous = isMonth(label) ? monthLabel(label, undefined, 'short') : label;
  return items.map(([key, title, value, delta]) => h('div', { class: 'col-6 col-lg-3' },
    h('div', { class: 'card h-100', 'data-summary': key }, h('div', { class: 'card-body py-3' },
      h('div', { class: 'small text-secondary' }, title),
      h('div', { class: 'fs-4 fw-semibold amount text-start summary-value' }, value),
      h('div', { class: `small ${delta ? (delta.good ? 'text-success' : 'text-danger') : 'text-secondary'}` },
        delta ? `${delta.up ? '▲' : '▼'} ${delta.text} vs ${previous}` : `nothing to compare in ${previous}`)))));
}

function budgetSection(budgets: BudgetMonth): Node[] {
  const all = [...(budgets.overall ? [budgets.overall] : []), ...budgets.items];
  if (all.length === 0) {
    return [h('p', { class: 'text-secondary' }, 'No budgets yet. ', h('a', { href: '/budgets' }, 'Set one'))];
  }
  return all.map((status) => budgetBar(status, budgets.currency));
}

function rankedList(rows: [string, string, number][], currency: string, empty: string): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'text-secondary mb-0' }, empty);
  return h('ol', { class: 'list-unstyled mb-0' }, rows.map(([name, note, amount]) =>
    h('li', { class: 'd-flex gap-2 py-1 border-bottom small' },
      h('span', { class: 'me-auto text-truncate' }, name),
      h('span', { class: 'text-secondary' }, note),
      h('span', { class: 'amount' }, formatMoney(amount, currency)))));
}

/**
 * The month in progress: spent so far against the forecast for the whole month and its 80%
 * interval, in total and per category with a forecast. A month without a forecast (a past one)
 * shows its actual only.
 */
export function forecastVsActual(outlook: Outlook | null, spent: number, month: string, currency: string,
  charts: Pick<Charts, 'add'>): Node[] {
  const actual = h('p', { class: 'mb-2', 'data-actual': '' }, `Spent in ${monthLabel(month)}: ${formatMoney(spent, currency)}`);
  if (!outlook) return [actual, h('p', { class: 'small text-secondary mb-0' }, 'A complete month: the actual only. Forecasts are made for the month in progress.')];
  if (outlook.not_enough_data) return [actual, h('p', { class: 'small text-secondary mb-0', 'data-forecast-missing': '' }, `No forecast: ${outlook.not_enough_data.message}.`)];
  const spentOf = new Map((outlook.pace?.categories ?? []).map((p) => [p.category_id ?? null, p.spent]));
  const rows = [
    { item: outlook.spending, spent: outlook.pace?.total.spent ?? 0 },
    ...outlook.categories.filter((c) => c.amount != null).map((c) => ({ item: c, spent: spentOf.get(c.category_id ?? null) ?? 0 })),
  ];
  const bars: ForecastBar[] = rows.flatMap(({ item, spent: s }) => (item.amount != null && item.low != null && item.high != null
    ? [{ name: item.name, amount: item.amount, low: item.low, high: item.high, spent: s }] : []));
  const { box, canvas } = chartCanvas(`Spent so far and forecast for ${monthLabel(outlook.month)}`, barsHeight(bars.length));
  charts.add(canvas, forecastChart(bars, currency, 'Spent so far'));
  const pace = outlook.pace;
  return [
    h('p', { class: 'small text-secondary mb-2' }, pace
      ? `Day ${pace.days_elapsed} of ${pace.days_in_month}. The forecast is for the whole month; the band is where it lands 8 times in 10.`
      : 'The forecast is for the whole month; the band is where it lands 8 times in 10.'),
    box,
    h('ul', { class: 'list-unstyled small mb-0 mt-2' }, rows.map(({ item, spent: s }) =>
      h('li', { class: 'd-flex flex-wrap gap-2 py-1 border-bottom', 'data-forecast-vs-actual': item.name },
        h('span', { class: 'fw-semibold me-auto text-break' }, item.name),
        h('span', null, `${formatMoney(s, currency)} so far of ${forecastWords(item, currency)}`)))),
  ];
}
