import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { deviceLabel } from '../format/devices';
import type { Page } from '../router';
import { currentUser, session, updateUser } from '../state/session';
import { h } from '../ui/dom';
import { guarded, loadInto, toast } from '../ui/feedback';
import { field, onSubmit, submitButton, text } from '../ui/forms';

export const settingsPage: Page = ({ root }) => {
  const user = currentUser();

  const profile = h('form', { 'aria-label': 'Profile' },
    field({ name: 'display_name', label: 'Name', required: true, value: user.display_name, attrs: { autocomplete: 'name' } }),
    field({ name: 'email', label: 'Email', type: 'email', value: user.email, attrs: { readonly: 'true' }, help: 'Your sign-in; it cannot be changed here.' }),
    field({ name: 'base_currency', label: 'Base currency', required: true, value: user.base_currency,
      help: 'Totals, the dashboard and budgets are reported in it (ISO code such as EUR, USD, INR).',
      attrs: { maxlength: '3', pattern: '[A-Za-z]{3}', autocapitalize: 'characters' } }),
    submitButton('Save profile'));
  onSubmit(profile, async (data) => {
    updateUser(await call(api.PATCH('/api/v1/me', {
      body: { display_name: text(data, 'display_name'), base_currency: text(data, 'base_currency')?.toUpperCase() ?? null },
    })));
    toast('Profile saved');
  });

  const password = h('form', { 'aria-label': 'Change password' },
    field({ name: 'current_password', label: 'Current password', type: 'password', required: true, attrs: { autocomplete: 'current-password' } }),
    field({ name: 'new_password', label: 'New password', type: 'password', required: true, help: 'At least 10 characters. Your other sign-ins are signed out.', attrs: { autocomplete: 'new-password' } }),
    submitButton('Change password'));
  onSubmit(password, async (data) => {
    await call(api.PATCH('/api/v1/me', {
      body: { current_password: String(data.get('current_password')), new_password: String(data.get('new_password')) },
    }));
    password.reset();
    toast('Password changed');
  });

  const removal = h('form', { 'aria-label': 'Delete account' },
    h('p', { class: 'small' }, 'This deletes your accounts, transactions, imports, budgets and rules for good.'),
    field({ name: 'password', label: 'Password', type: 'password', required: true, attrs: { autocomplete: 'current-password' } }),
    submitButton('Delete my account', 'danger'));
  onSubmit(removal, async (data) => {
    if (!confirm('Delete your Dhana account and everything in it?')) return;
    await call(api.DELETE('/api/v1/me', { body: { password: String(data.get('password')) } }));
    session.set(null);
  });

  const signIns = h('div');
  const reloadSignIns: () => Promise<void> = loadInto(signIns,
    async () => (await call(api.GET('/api/v1/me/sign-ins'))).items,
    (items) => h('div', { class: 'list-group list-group-flush' }, items.map((item) => signInRow(item, reloadSignIns))));
  const everywhere = h('div', { class: 'mt-3' },
    h('button', { type: 'button', class: 'btn btn-outline-danger btn-sm', onclick: guarded(async () => {
      if (!confirm('Sign out every browser and app, this one included?')) return;
      await call(api.DELETE('/api/v1/me/sign-ins'));
      session.set(null);
    }) }, 'Sign out everywhere'));

  const section = (title: string, form: HTMLElement, tone = '') => h('section', { class: 'col-lg-6' },
    h('div', { class: `card h-100 ${tone}` }, h('div', { class: 'card-body' }, h('h2', { class: 'h5 card-title' }, title), form)));
  root.append(
    h('h1', { class: 'h3 mb-3' }, 'Settings'),
    h('div', { class: 'row g-3' },
      section('Profile', profile),
      section('Password', password),
      section('Signed in', h('div', { 'aria-label': 'Sign-ins' }, signIns, everywhere)),
      section('Delete account', removal, 'border-danger')));
};

type SignIn = components['schemas']['SignInResponse'];

function signInRow(item: SignIn, reload: () => Promise<void>): HTMLElement {
  const end = async () => {
    await call(api.DELETE('/api/v1/me/sign-ins/{id}', { params: { path: { id: item.id } } }));
    if (item.current) {
      session.set(null);
      return;
    }
    toast('Signed out');
    await reload();
  };
  const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return h('div', { class: 'list-group-item d-flex flex-wrap align-items-center gap-2 px-0' },
    h('div', { class: 'me-auto' },
      h('div', { class: 'fw-semibold' }, deviceLabel(item.user_agent),
        item.current && h('span', { class: 'badge text-bg-success ms-2' }, 'This one')),
      h('div', { class: 'small text-secondary' },
        `${item.kind === 'session' ? 'Browser' : 'App or script'} · since ${when(item.created_at)} · last used ${when(item.last_used_at)}`)),
    h('button', { type: 'button', class: 'btn btn-outline-secondary btn-sm', onclick: guarded(end) }, 'Sign out'));
}
