import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { ApiProblem, problemFrom } from './problem';
import { session } from '../state/session';

export type Schemas = components['schemas'];

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The session cookie authenticates; every state-changing request also carries the CSRF token. */
const csrf: Middleware = {
  onRequest({ request }) {
    const token = session.get()?.csrfToken;
    if (token && UNSAFE.has(request.method)) request.headers.set('X-CSRF-Token', token);
    return request;
  },
};

export const api = createClient<paths>({
  baseUrl: typeof location === 'undefined' ? 'http://localhost' : location.origin,
  credentials: 'same-origin',
});
api.use(csrf);

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The data of a successful call, or an `ApiProblem`. A 401 outside sign-in means the session
 * ended (expired, signed out elsewhere): the session is cleared and the router shows sign-in.
 */
export async function call<T>(request: Promise<Outcome<T>>): Promise<T> {
  const { data, error, response } = await request;
  if (response.ok) return data as T;
  const problem = problemFrom(response.status, error);
  if (response.status === 401 && !response.url.includes('/auth/')) session.set(null);
  throw problem;
}

export { ApiProblem };
