import 'bootstrap/dist/css/bootstrap.min.css';
import './styles.css';
import { api } from './api/client';
import { routes } from './routes';
import { startRouter } from './router';
import { celebrateAfterWrites, checkCelebrations } from './state/celebrations';
import { session } from './state/session';
import { createLayout } from './ui/layout';
import { errorAlert } from './ui/feedback';
import { replace } from './ui/dom';

async function boot(): Promise<void> {
  api.use(celebrateAfterWrites);
  const app = document.getElementById('app')!;
  const { outlet, routeChanged } = createLayout(app);
  try {
    // After a reload the cookie may still be valid: ask for the user and the CSRF token again.
    const { data, response } = await api.GET('/api/v1/auth/session');
    if (data) session.set({ user: data.user, csrfToken: data.csrf_token });
    else if (response.status !== 401) throw new Error(`The server answered ${response.status}.`);
  } catch (error) {
    replace(outlet, errorAlert(error, () => location.reload()));
    return;
  }
  startRouter(routes, outlet, routeChanged);
  // What a script or another device earned meanwhile is celebrated when the app opens.
  if (session.get()) void checkCelebrations();
}

void boot();
