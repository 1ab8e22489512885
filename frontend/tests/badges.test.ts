// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { badgeCard, badgesView } from '../src/pages/badges';

const earned = {
  key: 'first_budget', name: 'First budget', description: 'A plan for your spending.', how: 'Set a budget.',
  earned: true, earned_on: '2026-11-02', fact: 'set a budget', progress: null,
};
const locked = {
  key: 'saved_three_months', name: 'Saver', description: 'Money saved three months in a row.',
  how: 'Have income above spending in three consecutive months.', earned: false, earned_on: null, fact: null,
  progress: { current: 2, target: 3 },
};

describe('badges', () => {
  it('shows an earned badge with its day and fact, and no progress', () => {
    const card = badgeCard(earned);
    expect(card.textContent).toContain('Earned');
    expect(card.textContent).toContain('set a budget');
    expect(card.querySelector('.progress')).toBeNull();
  });

  it('shows a locked badge with how to earn it and its progress', () => {
    const card = badgeCard(locked);
    expect(card.textContent).toContain('Have income above spending');
    expect(card.textContent).toContain('2 of 3');
    expect(card.querySelector<HTMLElement>('.progress-bar')!.style.width).toBe('67%');
    expect(card.querySelector('[role=progressbar]')!.getAttribute('aria-valuemax')).toBe('3');
  });

  it('lists earned badges apart and counts them', () => {
    const view = badgesView({ enabled: true, items: [locked, earned] }, vi.fn());
    expect(view.textContent).toContain('1 of 2 earned');
    expect(view.querySelector('[aria-label="Earned badges"] [data-badge]')!.getAttribute('data-badge')).toBe('first_budget');
    expect(view.querySelector('[aria-label="Badges to earn"] [data-badge]')!.getAttribute('data-badge')).toBe('saved_three_months');
  });

  it('offers to turn them back on when off', async () => {
    const setEnabled = vi.fn().mockResolvedValue(undefined);
    const view = badgesView({ enabled: false, items: [] }, setEnabled);
    expect(view.textContent).toContain('Badges are off');
    view.querySelector('button')!.click();
    expect(setEnabled).toHaveBeenCalledWith(true);
  });
});
