import type { components } from '../api/schema';
import { Store } from './store';

export type User = components['schemas']['UserResponse'];

/**
 * The signed-in user and the CSRF token of the session cookie. Kept in memory only: after a
 * reload `GET /auth/session` hands the token back, so nothing sensitive sits in localStorage.
 */
export interface Session {
  user: User;
  csrfToken: string;
}

export const session = new Store<Session | null>(null);

export function currentUser(): User {
  const value = session.get();
  if (!value) throw new Error('not signed in');
  return value.user;
}

export function updateUser(user: User): void {
  const value = session.get();
  if (value) session.set({ ...value, user });
}
