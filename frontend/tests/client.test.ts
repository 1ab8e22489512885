import { afterEach, describe, expect, it } from 'vitest';
import { ApiProblem, call } from '../src/api/client';
import { session } from '../src/state/session';

const user = { id: 1, email: 'a@example.com', display_name: 'Asha', base_currency: 'EUR', created_at: '2026-01-01T00:00:00Z' };
const outcome = (status: number, error?: unknown, url = 'http://localhost/api/v1/accounts') => {
  const response = new Response(null, { status });
  Object.defineProperty(response, 'url', { value: url });
  return Promise.resolve({ error, response });
};

describe('call', () => {
  afterEach(() => session.set(null));

  it('hands back the data of a success', async () => {
    const response = new Response(null, { status: 200 });
    await expect(call(Promise.resolve({ data: { items: [] }, response }))).resolves.toEqual({ items: [] });
  });

  it('throws the problem of a failure', async () => {
    const error = await call(outcome(409, { detail: 'that name is taken', status: 409 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiProblem);
    expect((error as ApiProblem).detail).toBe('that name is taken');
  });

  it('ends the session on a 401, except from the sign-in endpoints', async () => {
    session.set({ user, csrfToken: 't' });
    await call(outcome(401, {}, 'http://localhost/api/v1/auth/session')).catch(() => {});
    expect(session.get()).not.toBeNull();
    await call(outcome(401, {})).catch(() => {});
    expect(session.get()).toBeNull();
  });
});
