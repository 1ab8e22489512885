import { session } from './state/session';
import { errorAlert } from './ui/feedback';

export interface PageContext {
  root: HTMLElement;
  query: URLSearchParams;
  /** Replace the query string of the current page without re-rendering it (filters, period). */
  setQuery(query: URLSearchParams): void;
}

/** Renders into `root`; may return a cleanup (charts to destroy, timers to stop). */
export type Page = (ctx: PageContext) => void | (() => void);

export interface Route {
  path: string;
  title: string;
  page: () => Promise<Page>;
  /** Pages for signed-out visitors (sign-in, register). */
  public?: boolean;
}

let routes: Route[] = [];
let outlet: HTMLElement;
let cleanup: (() => void) | undefined;
let onRoute: (route: Route) => void = () => {};
let rendering = 0;

export function navigate(to: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  void render();
}

function setQuery(query: URLSearchParams): void {
  const search = query.toString();
  history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}`);
}

export function match(path: string): Route | undefined {
  return routes.find((r) => r.path === path);
}

async function render(): Promise<void> {
  const mine = ++rendering;
  const signedIn = session.get() !== null;
  const route = match(location.pathname) ?? match('/')!;
  if (route.public && signedIn) return navigate('/', { replace: true });
  if (!route.public && !signedIn) {
    const next = location.pathname === '/' ? '' : `?next=${encodeURIComponent(location.pathname + location.search)}`;
    return navigate(`/login${next}`, { replace: true });
  }
  if (route.path !== location.pathname) history.replaceState(null, '', route.path);
  let page: Page;
  try {
    page = await route.page();
  } catch (error) {
    // The page's code could not be fetched (server restarted with a new build, network down).
    if (mine === rendering) outlet.replaceChildren(errorAlert(error, () => location.reload()));
    return;
  }
  if (mine !== rendering) return;
  cleanup?.();
  cleanup = undefined;
  onRoute(route);
  document.title = `${route.title} · Dhana`;
  outlet.replaceChildren();
  cleanup = page({ root: outlet, query: new URLSearchParams(location.search), setQuery }) ?? undefined;
  outlet.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

/** Same-origin links navigate on the client; new tabs, downloads and /api links do not. */
function interceptLinks(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  const link = (event.target as Element).closest('a');
  if (!link || link.target || link.hasAttribute('download') || link.origin !== location.origin) return;
  if (link.pathname.startsWith('/api/') || link.pathname.startsWith('/docs')) return;
  event.preventDefault();
  navigate(link.pathname + link.search);
}

export function startRouter(table: Route[], into: HTMLElement, changed: (route: Route) => void): void {
  routes = table;
  outlet = into;
  onRoute = changed;
  window.addEventListener('popstate', () => void render());
  document.addEventListener('click', interceptLinks);
  // Signing in or out (or a session that expired) shows the right page at once.
  let signedIn = session.get() !== null;
  session.subscribe((value) => {
    if ((value !== null) === signedIn) return; // A profile edit is not a page change.
    signedIn = value !== null;
    void render();
  });
  void render();
}
