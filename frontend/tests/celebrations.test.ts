// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Schemas } from '../src/api/client';
import { celebrationMessage, mayHaveEarned } from '../src/state/celebrations';
import { celebrate } from '../src/ui/celebrate';

type Celebrations = Schemas['Celebrations'];

const badge = (key: string, name: string): Celebrations['badges'][number] => ({
  key, name, description: '', how: '', earned: true, earned_on: '2026-11-29', fact: 'a fact', progress: null,
});
const milestone = (id: number, goal_id: number, goal_name: string, percent: number): Celebrations['milestones'][number] => ({
  id, goal_id, goal_name, percent, reached_on: '2026-11-29',
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  document.body.replaceChildren();
});

describe('what is celebrated', () => {
  it('is nothing when nothing is new', () => {
    expect(celebrationMessage({ badges: [], milestones: [] })).toBeNull();
  });

  it('names each goal once, by its highest new milestone, then the badges', () => {
    expect(celebrationMessage({
      badges: [badge('first_goal', 'Goal setter'), badge('goal_halfway', 'Halfway there')],
      milestones: [milestone(1, 7, 'Holiday', 25), milestone(2, 7, 'Holiday', 50), milestone(3, 8, 'Car', 100)],
    })).toBe('Holiday: 50% saved! · Car: goal reached! · Badges earned: Goal setter, Halfway there');
    expect(celebrationMessage({ badges: [badge('first_budget', 'First budget')], milestones: [] }))
      .toBe('Badge earned: First budget');
  });

  it('is looked for after successful writes to the API, not after reads, failures or sign-in', () => {
    expect(mayHaveEarned('POST', 'http://localhost/api/v1/budgets', 201)).toBe(true);
    expect(mayHaveEarned('DELETE', 'http://localhost/api/v1/imports/3', 200)).toBe(true);
    expect(mayHaveEarned('GET', 'http://localhost/api/v1/badges', 200)).toBe(false);
    expect(mayHaveEarned('POST', 'http://localhost/api/v1/budgets', 422)).toBe(false);
    expect(mayHaveEarned('POST', 'http://localhost/api/v1/auth/session', 200)).toBe(false);
    expect(mayHaveEarned('POST', 'http://localhost/api/v1/celebrations/seen', 204)).toBe(false);
  });
});

describe('the confetti', () => {
  it('falls with the message read out, and is gone after a moment', () => {
    vi.useFakeTimers();
    celebrate('Holiday: 50% saved!');
    expect(document.querySelector('.celebration-message')!.textContent).toBe('Holiday: 50% saved!');
    expect(document.querySelector('[role=status]')).not.toBeNull();
    expect(document.querySelectorAll('.confetti-piece').length).toBe(40);
    vi.advanceTimersByTime(3000);
    expect(document.querySelector('.celebration')).toBeNull();
  });

  it('keeps only the message when reduced motion is asked for', () => {
    vi.stubGlobal('matchMedia', (query: string) => ({ matches: query.includes('reduce') }));
    celebrate('Badge earned: First budget');
    expect(document.querySelectorAll('.confetti-piece').length).toBe(0);
    expect(document.querySelector('.celebration-message')!.textContent).toBe('Badge earned: First budget');
  });
});
