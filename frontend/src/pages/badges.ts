import { api, call, type Schemas } from '../api/client';
import { formatDate } from '../format/dates';
import type { Page } from '../router';
import { h } from '../ui/dom';
import { emptyState, guarded, loadInto, toast } from '../ui/feedback';

type BadgeList = Schemas['BadgeList'];
type Badge = Schemas['BadgeResponse'];

export const badgesPage: Page = ({ root }) => {
  const body = h('div');
  const setEnabled = async (enabled: boolean) => {
    await call(api.PUT('/api/v1/badges/settings', { body: { enabled } }));
    toast(enabled ? 'Badges turned on' : 'Badges turned off');
    await reload();
  };
  const reload = loadInto(body, () => call(api.GET('/api/v1/badges')), (list) => badgesView(list, setEnabled));
  root.append(h('h1', { class: 'h3 mb-3' }, 'Badges'), body);
};

/** Earned badges first (with the day and the fact), then the others with how to earn them. */
export function badgesView(list: BadgeList, setEnabled: (enabled: boolean) => Promise<void>): HTMLElement {
  const toggle = h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', onclick: guarded(() => setEnabled(!list.enabled)) },
    list.enabled ? 'Turn badges off' : 'Turn badges on');
  if (!list.enabled) {
    return h('div', null, emptyState('Badges are off. Nothing is evaluated or shown.', toggle));
  }
  const earned = list.items.filter((b) => b.earned);
  const locked = list.items.filter((b) => !b.earned);
  return h('div', null,
    h('div', { class: 'd-flex flex-wrap align-items-center gap-2 mb-3' },
      h('p', { class: 'mb-0 me-auto text-secondary' }, `${earned.length} of ${list.items.length} earned`), toggle),
    earned.length > 0 && h('section', { 'aria-label': 'Earned badges', class: 'row g-3 mb-4' }, earned.map(badgeCard)),
    h('section', { 'aria-label': 'Badges to earn', class: 'row g-3' }, locked.map(badgeCard)));
}

export function badgeCard(badge: Badge): HTMLElement {
  const progress = badge.progress;
  const percent = progress && progress.target > 0 ? Math.min(100, Math.round((progress.current / progress.target) * 100)) : null;
  return h('div', { class: 'col-12 col-md-6 col-xl-4' },
    h('article', { class: `card h-100 badge-card${badge.earned ? ' border-success' : ' text-body-secondary'}`, 'data-badge': badge.key },
      h('div', { class: 'card-body' },
        h('h2', { class: 'h6 card-title d-flex gap-2 align-items-center' },
          h('span', { 'aria-hidden': 'true' }, badge.earned ? '★' : '☆'), badge.name,
          badge.earned && h('span', { class: 'badge text-bg-success ms-auto' }, 'Earned')),
        h('p', { class: 'card-text mb-1' }, badge.description),
        badge.earned
          ? h('p', { class: 'small mb-0' }, badge.earned_on ? formatDate(badge.earned_on) : '', badge.fact ? ` · ${badge.fact}` : '')
          : h('p', { class: 'small mb-0' }, badge.how),
        percent !== null && progress && h('div', { class: 'progress mt-2', role: 'progressbar', 'aria-label': `${badge.name} progress`,
          'aria-valuenow': progress.current, 'aria-valuemin': 0, 'aria-valuemax': progress.target },
        h('div', { class: 'progress-bar', style: `width: ${percent}%` })),
        percent !== null && progress && h('p', { class: 'small text-secondary mb-0 mt-1' }, `${progress.current} of ${progress.target}`))));
}
