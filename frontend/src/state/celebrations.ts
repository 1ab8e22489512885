import { api, call, type Schemas } from '../api/client';
import type { Middleware } from 'openapi-fetch';
import { celebrate } from '../ui/celebrate';
import { session } from './session';

type Celebrations = Schemas['Celebrations'];

/** One message for everything newly earned: each goal's highest new milestone, then the badges. */
export function celebrationMessage({ badges, milestones }: Celebrations): string | null {
  const top = new Map<number, { name: string; percent: number }>();
  for (const m of milestones) {
    const seen = top.get(m.goal_id);
    if (!seen || m.percent > seen.percent) top.set(m.goal_id, { name: m.goal_name, percent: m.percent });
  }
  const parts = [...top.values()].map(({ name, percent }) => (percent === 100 ? `${name}: goal reached!` : `${name}: ${percent}% saved!`));
  if (badges.length > 0) parts.push(`${badges.length === 1 ? 'Badge' : 'Badges'} earned: ${badges.map((b) => b.name).join(', ')}`);
  return parts.length > 0 ? parts.join(' · ') : null;
}

async function celebrateOnce(): Promise<void> {
  const found = await call(api.GET('/api/v1/celebrations'));
  const message = celebrationMessage(found);
  if (message === null) return;
  // Marked seen before the show: one celebration lost to a failed request is better than the
  // same one repeated after every write.
  await call(api.POST('/api/v1/celebrations/seen', {
    body: { badges: found.badges.map((b) => b.key), milestones: found.milestones.map((m) => m.id) },
  }));
  celebrate(message);
}

let running: Promise<void> | null = null;
let again = false;

/**
 * Celebrates what the server has recorded as earned and not yet seen. Checks never overlap (two
 * at once would show the same badge twice); a request for one while another runs is run after it.
 */
export function checkCelebrations(): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    do {
      again = false;
      await celebrateOnce();
    } while (again);
  })()
    // A celebration is a nicety: failing to fetch one must not disturb the page.
    .catch((error: unknown) => console.warn('celebrations unavailable', error))
    .finally(() => (running = null));
  return running;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Whether an answered request is a write that may have earned something. */
export function mayHaveEarned(method: string, url: string, status: number): boolean {
  const { pathname } = new URL(url, 'http://localhost');
  return status >= 200 && status < 300 && WRITES.has(method)
    && pathname.startsWith('/api/v1/') && !pathname.startsWith('/api/v1/auth/') && !pathname.startsWith('/api/v1/celebrations');
}

/** After every successful write of the signed-in user, look for something to celebrate. */
export const celebrateAfterWrites: Middleware = {
  onResponse({ request, response }) {
    if (session.get() && mayHaveEarned(request.method, request.url, response.status)) void checkCelebrations();
    return response;
  },
};
