import { api, call } from '../api/client';
import { session } from '../state/session';
import type { Route } from '../router';
import { h, replace } from './dom';
import { toast } from './feedback';

const NAV: [path: string, label: string][] = [
  ['/', 'Dashboard'],
  ['/transactions', 'Transactions'],
  ['/import', 'Import'],
  ['/insights', 'Insights'],
  ['/budgets', 'Budgets'],
  ['/goals', 'Goals'],
  ['/debts', 'Debts'],
  ['/reports', 'Reports'],
  ['/badges', 'Badges'],
  ['/accounts', 'Accounts'],
  ['/categories', 'Categories'],
  ['/rules', 'Rules'],
];

/** The page frame: the navigation bar (signed in only) and the outlet pages render into. */
export function createLayout(app: HTMLElement): { outlet: HTMLElement; routeChanged: (route: Route) => void } {
  const header = h('header');
  const outlet = h('main', { id: 'main', class: 'container-lg py-3 py-md-4 flex-grow-1', tabindex: '-1' });
  replace(app,
    h('a', { class: 'visually-hidden-focusable position-absolute p-2', href: '#main' }, 'Skip to content'),
    header, outlet);

  const routeChanged = (route: Route) => {
    const user = session.get()?.user;
    replace(header, user ? navbar(route.path, user.display_name) : null);
  };
  return { outlet, routeChanged };
}

function navbar(active: string, name: string): HTMLElement {
  const menu = h('div', { class: 'collapse navbar-collapse', id: 'nav-menu' },
    h('ul', { class: 'navbar-nav me-auto' },
      NAV.map(([path, label]) => h('li', { class: 'nav-item' },
        h('a', { class: `nav-link${path === active ? ' active' : ''}`, href: path,
          'aria-current': path === active ? 'page' : undefined }, label)))),
    h('div', { class: 'd-flex flex-wrap align-items-center gap-2 py-2 py-lg-0' },
      h('a', { class: `nav-link text-light${active === '/settings' ? ' active' : ''}`, href: '/settings',
        title: 'Settings' }, name),
      h('button', { type: 'button', class: 'btn btn-sm btn-outline-light', onclick: signOut }, 'Sign out')));
  const toggler = h('button', {
    type: 'button', class: 'navbar-toggler', 'aria-controls': 'nav-menu', 'aria-expanded': 'false',
    'aria-label': 'Menu',
    onclick: () => {
      const open = menu.classList.toggle('show');
      toggler.setAttribute('aria-expanded', String(open));
    },
  }, h('span', { class: 'navbar-toggler-icon' }));
  return h('nav', { class: 'navbar navbar-expand-lg navbar-dark bg-dark', 'aria-label': 'Main' },
    h('div', { class: 'container-lg' },
      h('a', { class: 'navbar-brand fw-semibold', href: '/' }, 'Dhana'),
      toggler, menu));
}

async function signOut(): Promise<void> {
  try {
    await call(api.DELETE('/api/v1/auth/session'));
  } catch {
    toast('Could not reach the server; you are signed out here.', 'danger');
  }
  session.set(null);
}
