import {
  ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Filler, Legend,
  LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartConfiguration, type ChartType,
} from 'chart.js';
import type { Schemas } from '../api/client';
import { formatMoney, formatPercent } from '../format/money';
import { formatDate, isMonth, monthLabel } from '../format/dates';
import { h } from './dom';

Chart.register(ArcElement, BarController, BarElement, CategoryScale, DoughnutController, Filler, Legend,
  LinearScale, LineController, LineElement, PointElement, Tooltip);

// Okabe–Ito colours: distinguishable with every common colour-vision deficiency. Series also
// differ in form (bars vs line, solid vs dashed) so colour is never the only cue.
export const SERIES = { income: '#009E73', spending: '#D55E00', net: '#0072B2', previous: '#7f7f7f' } as const;

type ChartData = Schemas['Chart'];
type Share = Schemas['CategoryShare'];

/** Owns the page's charts so leaving the page frees them. */
export class Charts {
  private readonly charts: { destroy(): void }[] = [];

  add<T extends ChartType>(canvas: HTMLCanvasElement, config: ChartConfiguration<T>): void {
    this.charts.push(new Chart(canvas, config));
  }

  destroy(): void {
    this.charts.splice(0).forEach((c) => c.destroy());
  }
}

const moneyAxis = (currency: string) => ({
  ticks: { callback: (value: string | number) => formatMoney(Math.round(Number(value)), currency, { compact: true }) },
});

const moneyTooltip = (currency: string) => ({
  callbacks: {
    label: (item: { dataset: { label?: string }; raw: unknown }) =>
      `${item.dataset.label ?? ''}: ${formatMoney(Number(item.raw), currency)}`,
  },
});

/** A canvas with a text alternative, in a box that sets its height (a size, or pixels). */
export function chartCanvas(label: string, size: 'md' | 'sm' | number = 'md'): { box: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = h('canvas', { role: 'img', 'aria-label': label });
  const box = typeof size === 'number'
    ? h('div', { class: 'chart-box-free', style: `height:${size}px` }, canvas)
    : h('div', { class: size === 'md' ? 'chart-box' : 'chart-box-sm' }, canvas);
  return { box, canvas };
}

const LABELS: Record<string, string> = { income: 'Income', spending: 'Spending', net: 'Net' };

/** Income and spending bars per month with the net as a line. */
export function incomeSpendingChart(chart: ChartData, currency: string): ChartConfiguration<'bar' | 'line'> {
  const series = (label: string) => chart.datasets.find((d) => d.label === label)?.data ?? [];
  return {
    type: 'bar',
    data: {
      labels: chart.labels.map((m) => (isMonth(m) ? monthLabel(m, undefined, 'short') : m)),
      datasets: [
        { type: 'bar', label: LABELS.income!, data: series('income'), backgroundColor: SERIES.income, order: 2 },
        { type: 'bar', label: LABELS.spending!, data: series('spending'), backgroundColor: SERIES.spending, order: 2 },
        {
          type: 'line', label: LABELS.net!, data: series('net'), borderColor: SERIES.net, backgroundColor: SERIES.net,
          borderWidth: 2, pointRadius: 3, pointStyle: 'rectRot', order: 1,
        },
      ],
    },
    options: {
      maintainAspectRatio: false,
      scales: { y: moneyAxis(currency) },
      plugins: { legend: { position: 'bottom' }, tooltip: moneyTooltip(currency) },
    },
  };
}

/** Spending accumulated day by day: this month solid, the month before dashed. */
export function cumulativeChart(chart: ChartData, currency: string): ChartConfiguration<'line'> {
  const [current, previous] = chart.datasets;
  const name = (label: string | undefined) => (isMonth(label) ? monthLabel(label) : label ?? '');
  return {
    type: 'line',
    data: {
      labels: chart.labels,
      datasets: [
        { label: name(current?.label), data: current?.data ?? [], borderColor: SERIES.spending, backgroundColor: 'rgba(213,94,0,.12)', fill: true, pointRadius: 0, borderWidth: 2 },
        { label: name(previous?.label), data: previous?.data ?? [], borderColor: SERIES.previous, borderDash: [6, 4], pointRadius: 0, borderWidth: 2 },
      ],
    },
    options: {
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: { y: moneyAxis(currency), x: { ticks: { maxTicksLimit: 8 } } },
      plugins: { legend: { position: 'bottom' }, tooltip: moneyTooltip(currency) },
    },
  };
}

/** Spending by category; its legend is an HTML list (see `shareLegend`) that also reads as text. */
export function categoryDoughnut(shares: Share[], currency: string): ChartConfiguration<'doughnut'> {
  return {
    type: 'doughnut',
    data: {
      labels: shares.map((s) => s.name),
      datasets: [{ data: shares.map((s) => s.amount), backgroundColor: shares.map((s) => s.color), borderColor: '#fff', borderWidth: 2 }],
    },
    options: {
      maintainAspectRatio: false,
      cutout: '60%',
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (item) => `${item.label}: ${formatMoney(Number(item.raw), currency)}` } },
      },
    },
  };
}

export function shareLegend(shares: Share[], currency: string): HTMLElement {
  return h('ul', { class: 'list-unstyled small mb-0 mt-3 chart-legend', 'aria-label': 'Spending by category' },
    shares.map((s) => h('li', { class: 'd-flex align-items-center gap-2 py-1 border-bottom' },
      h('span', { class: 'swatch', style: `background:${s.color}` }),
      h('span', { class: 'me-auto text-truncate' }, s.name),
      h('span', { class: 'text-secondary' }, formatPercent(s.share)),
      h('span', { class: 'amount' }, formatMoney(s.amount, currency)))));
}

/** A forecast as a bar: its point and 80% interval, and optionally what is spent so far. */
export interface ForecastBar {
  name: string;
  amount: number;
  low: number;
  high: number;
  spent?: number;
}

/** How tall a horizontal bar chart of `bars` rows is, so that each label stays readable. */
export function barsHeight(bars: number): number {
  return Math.max(140, 34 * bars + 70);
}

/**
 * Horizontal bars, one row per forecast: the forecast as a solid bar, its 80% interval as a
 * translucent band across it, and (on the dashboard) what is spent so far as a thin dark bar.
 * The three differ in width as well as colour.
 */
export function forecastChart(bars: ForecastBar[], currency: string, spentLabel?: string): ChartConfiguration<'bar'> {
  const money = (v: number) => formatMoney(v, currency);
  const withSpent = spentLabel !== undefined;
  return {
    type: 'bar',
    data: {
      labels: bars.map((b) => b.name),
      datasets: [
        {
          label: 'Forecast', data: bars.map((b) => b.amount), backgroundColor: SERIES.spending,
          barPercentage: 0.45, grouped: false, order: 2,
        },
        {
          label: '80% interval', data: bars.map((b) => [b.low, b.high] as [number, number]),
          backgroundColor: 'rgba(213,94,0,.22)', borderColor: SERIES.spending, borderWidth: 1, borderSkipped: false,
          barPercentage: 0.9, grouped: false, order: 3,
        },
        ...(withSpent ? [{
          label: spentLabel, data: bars.map((b) => b.spent ?? 0), backgroundColor: SERIES.net,
          barPercentage: 0.18, grouped: false, order: 1,
        }] : []),
      ],
    },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      scales: { x: { ...moneyAxis(currency), beginAtZero: true } },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            label: (item) => {
              const raw = item.raw as number | [number, number];
              return `${item.dataset.label ?? ''}: ${Array.isArray(raw) ? `${money(raw[0])} – ${money(raw[1])}` : money(raw)}`;
            },
          },
        },
      },
    },
  };
}

/** An account's projected balance day by day, its lowest point marked and named in the legend. */
export function balanceChart(days: { date: string; balance: number }[], low: { date: string; balance: number },
  currency: string): ChartConfiguration<'line'> {
  const lowIndex = days.findIndex((d) => d.date === low.date);
  return {
    type: 'line',
    data: {
      labels: days.map((d) => formatDate(d.date)),
      datasets: [
        {
          label: 'Projected balance', data: days.map((d) => d.balance), borderColor: SERIES.net,
          backgroundColor: 'rgba(0,114,178,.10)', fill: true, pointRadius: 0, borderWidth: 2, order: 2,
        },
        {
          label: `Lowest: ${formatMoney(low.balance, currency)} on ${formatDate(low.date)}`,
          data: days.map((d, i) => (i === lowIndex ? d.balance : null)), borderColor: SERIES.spending,
          backgroundColor: SERIES.spending, pointRadius: 7, pointHoverRadius: 8, pointStyle: 'triangle',
          showLine: false, order: 1,
        },
      ],
    },
    options: {
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: { y: moneyAxis(currency), x: { ticks: { maxTicksLimit: 6 } } },
      plugins: { legend: { position: 'bottom' }, tooltip: { ...moneyTooltip(currency), filter: (item) => item.raw !== null } },
    },
  };
}
