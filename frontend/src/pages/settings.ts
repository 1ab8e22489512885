import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { deviceLabel } from '../format/devices';
import type { Page } from '../router';
import { currentUser, session, updateUser } from '../state/session';
import { h, replace } from '../ui/dom';
import { guarded, loadInto, toast } from '../ui/feedback';
import { field, onSubmit, submitButton, text } from '../ui/forms';
import { summariesSection } from './summaries';

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

  const tokens = h('div');
  const reloadTokens: () => Promise<void> = loadInto(tokens,
    async () => (await call(api.GET('/api/v1/me/tokens'))).items,
    (items) => items.length === 0
      ? h('p', { class: 'small text-secondary' }, 'No tokens yet.')
      : h('div', { class: 'list-group list-group-flush' }, items.map((item) => tokenRow(item, reloadTokens))));
  const shownOnce = h('div', { 'aria-live': 'polite' });
  const newToken = h('form', { 'aria-label': 'New token' },
    field({ name: 'name', label: 'Token name', required: true, attrs: { maxlength: '100', placeholder: 'nightly import' } }),
    h('fieldset', { class: 'mb-3' }, h('legend', { class: 'form-label fs-6' }, 'Scopes'),
      TOKEN_SCOPES.map(([scope, label]) => field({ name: `scope_${scope}`, label, type: 'checkbox', value: scope === 'read' }))),
    field({ name: 'expires_in_days', label: 'Expires after (days)', type: 'number', help: 'Leave empty for a token that works until revoked.', attrs: { min: '1', max: '3650' } }),
    submitButton('Create token'));
  onSubmit(newToken, async (data) => {
    const days = text(data, 'expires_in_days');
    const created = await call(api.POST('/api/v1/me/tokens', {
      body: {
        name: text(data, 'name') ?? '',
        scopes: TOKEN_SCOPES.map(([scope]) => scope).filter((scope) => data.get(`scope_${scope}`) !== null),
        expires_in_days: days ? Number(days) : null,
      },
    }));
    newToken.reset();
    replace(shownOnce, h('div', { class: 'alert alert-warning' },
      h('div', null, 'Copy this token now: it is not shown again.'),
      h('code', { class: 'user-select-all text-break', 'data-token': '' }, created.token)));
    await reloadTokens();
  });

  const section = (title: string, form: HTMLElement, tone = '') => h('section', { class: 'col-lg-6' },
    h('div', { class: `card h-100 ${tone}` }, h('div', { class: 'card-body' }, h('h2', { class: 'h5 card-title' }, title), form)));
  root.append(
    h('h1', { class: 'h3 mb-3' }, 'Settings'),
    h('div', { class: 'row g-3' },
      section('Profile', profile),
      section('Password', password),
      section('Signed in', h('div', { 'aria-label': 'Sign-ins' }, signIns, everywhere)),
      section('Personal access tokens', h('div', { 'aria-label': 'Personal access tokens' },
        h('p', { class: 'small' }, 'For scripts and apps: send as ', h('code', null, 'Authorization: Bearer …'), '.'),
        shownOnce, tokens, newToken)),
      section('Email summaries', summariesSection()),
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

type Token = components['schemas']['TokenResponse'];
type Scope = components['schemas']['Scope'];

const TOKEN_SCOPES: [Scope, string][] = [['read', 'Read'], ['write', 'Write'], ['import', 'Import bank files']];

function tokenRow(item: Token, reload: () => Promise<void>): HTMLElement {
  const revoke = async () => {
    if (!confirm(`Revoke “${item.name}”? Scripts using it stop working at once.`)) return;
    await call(api.DELETE('/api/v1/me/tokens/{id}', { params: { path: { id: item.id } } }));
    toast('Token revoked');
    await reload();
  };
  const when = (iso: string) => new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });
  return h('div', { class: 'list-group-item d-flex flex-wrap align-items-center gap-2 px-0' },
    h('div', { class: 'me-auto' },
      h('div', { class: 'fw-semibold' }, item.name),
      h('div', { class: 'small text-secondary' },
        `${item.scopes.join(', ')} · last used ${when(item.last_used_at)}${item.expires_at ? ` · expires ${when(item.expires_at)}` : ''}`)),
    h('button', { type: 'button', class: 'btn btn-outline-danger btn-sm', onclick: guarded(revoke) }, 'Revoke'));
}
