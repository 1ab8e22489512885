// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Schemas } from '../src/api/client';
import { goalCard, outlook } from '../src/pages/goals';

type Goal = Schemas['GoalResponse'];

function goal(progress: Partial<Goal['progress']> = {}, extra: Partial<Goal> = {}): Goal {
  return {
    id: 1, name: 'Holiday', target_amount: 50_000, currency: 'EUR', target_date: '2027-06-30', savings_share_bp: null,
    state: 'active', starts: '2026-11', accounts: [], history: [{ month: '2026-11', saved: 25_000 }],
    milestones: [{ percent: 25, reached_on: '2026-11-29' }, { percent: 50, reached_on: '2026-11-29' }], new_milestones: [],
    progress: {
      saved: 25_000, remaining: 25_000, percent: 50, needed_per_month: 3_572, pace: null, projection: null,
      projection_note: 'not_enough_data', status: 'on_track', ...progress,
    },
    ...extra,
  };
}

afterEach(() => {
  vi.useRealTimers();
  document.body.replaceChildren();
});

describe('goal cards', () => {
  it('show saved of target, the bar, what is needed per month and the status', () => {
    const card = goalCard(goal(), async () => {});
    expect(card.textContent).toContain('€250.00 of €500.00 · 50%');
    expect(card.textContent).toContain('€35.72 a month from now');
    expect(card.querySelector('[data-status]')!.textContent).toBe('On track');
    expect(card.querySelector<HTMLElement>('.progress-bar')!.style.width).toBe('50%');
    expect(card.textContent).toContain('25% on');
    expect(card.querySelector('.btn-group button')!.textContent).toBe('Pause');
  });

  it('say plainly when the pace is not known yet, and give the range when it is', () => {
    expect(outlook(goal())).toBe('Pace: not enough data yet (three months needed).');
    const known = goal({ pace: 5_000, projection: { expected: '2027-04', earliest: '2027-03', latest: null }, projection_note: null });
    expect(outlook(known)).toMatch(/^Pace: €50\.00 a month .* Expected April 2027 \(March 2027 or later\)\.$/);
    expect(outlook(goal({ pace: 0, projection_note: 'not_saving' }))).toContain('not getting closer');
    expect(outlook(goal({ status: 'reached', remaining: 0 }))).toBe('Reached.');
  });

  it('a paused goal offers to resume and a goal without date says what is left', () => {
    const card = goalCard(goal({ needed_per_month: null, status: 'no_date' }, { state: 'paused', target_date: null }), async () => {});
    expect(card.querySelector('.btn-group button')!.textContent).toBe('Resume');
    expect(card.textContent).toContain('€250.00 to go.');
    expect(card.querySelector('[data-status]')!.textContent).toBe('No target date');
  });
});
