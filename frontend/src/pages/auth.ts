import { api, call } from '../api/client';
import type { Page } from '../router';
import { session } from '../state/session';
import { h } from '../ui/dom';
import { field, onSubmit, submitButton } from '../ui/forms';

type Mode = 'sign-in' | 'register';

/** Sign-in and registration: one form, registration adds a name and signs in afterwards. */
function authPage(mode: Mode): Page {
  return ({ root, query }) => {
    const registering = mode === 'register';
    const form = h('form', { class: 'card-body', 'aria-label': registering ? 'Create account' : 'Sign in' },
      registering && field({ name: 'display_name', label: 'Your name', required: true, attrs: { autocomplete: 'name' } }),
      field({ name: 'email', label: 'Email', type: 'email', required: true, attrs: { autocomplete: 'email' } }),
      field({
        name: 'password', label: 'Password', type: 'password', required: true,
        help: registering ? 'At least 10 characters.' : undefined,
        attrs: { autocomplete: registering ? 'new-password' : 'current-password' },
      }),
      h('div', { class: 'd-grid' }, submitButton(registering ? 'Create account' : 'Sign in')));

    onSubmit(form, async (data) => {
      const email = String(data.get('email'));
      const password = String(data.get('password'));
      if (registering) {
        await call(api.POST('/api/v1/auth/register', {
          body: { email, password, display_name: String(data.get('display_name')) },
        }));
      }
      const signedIn = await call(api.POST('/api/v1/auth/session', { body: { email, password } }));
      // Only same-site paths: `next` comes from the address bar.
      const next = query.get('next');
      const target = next && next.startsWith('/') && !next.startsWith('//') ? next : registering ? '/accounts' : '/';
      // The router re-renders when the session starts; it then shows the page asked for.
      history.replaceState(null, '', target);
      session.set({ user: signedIn.user, csrfToken: signedIn.csrf_token });
    });

    root.append(h('div', { class: 'auth-card mx-auto mt-md-5' },
      h('h1', { class: 'h3 text-center mb-1' }, 'Dhana'),
      h('p', { class: 'text-center text-secondary' }, registering
        ? 'Create your account. Your data stays on this server.'
        : 'Sign in to see where your money goes.'),
      h('div', { class: 'card shadow-sm' }, form),
      h('p', { class: 'text-center mt-3' }, registering
        ? ['Already have an account? ', h('a', { href: '/login' }, 'Sign in')]
        : ['New here? ', h('a', { href: '/register' }, 'Create an account')])));
    root.querySelector<HTMLInputElement>('input')?.focus();
  };
}

export const signInPage = authPage('sign-in');
export const registerPage = authPage('register');
