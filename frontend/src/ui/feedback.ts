import { describeError } from '../api/problem';
import { h, replace, type Child } from './dom';

export function spinner(label = 'Loading…'): HTMLElement {
  return h('div', { class: 'd-flex align-items-center gap-2 text-secondary py-4', role: 'status' },
    h('span', { class: 'spinner-border spinner-border-sm', 'aria-hidden': 'true' }),
    h('span', null, label));
}

export function emptyState(message: string, action?: Node): HTMLElement {
  return h('div', { class: 'text-center text-secondary border rounded-3 py-5 px-3 bg-body-tertiary' },
    h('p', { class: 'mb-2' }, message), action);
}

/** The problem's detail (and field messages) in a red alert, with a retry when one makes sense. */
export function errorAlert(error: unknown, retry?: () => void): HTMLElement {
  const problem = describeError(error);
  const [first, ...rest] = problem.messages();
  return h('div', { class: 'alert alert-danger', role: 'alert' },
    // Server details are written lower-case to be embeddable; shown alone they start a sentence.
    h('div', null, first && first.charAt(0).toUpperCase() + first.slice(1)),
    rest.length > 0 && h('ul', { class: 'mb-0 mt-1 small' }, rest.map((m) => h('li', null, m))),
    retry && h('button', { type: 'button', class: 'btn btn-sm btn-outline-danger mt-2', onclick: retry }, 'Try again'));
}

/**
 * Shows a spinner in `container`, then what `render` makes of the loaded data, or the error
 * with a retry. Returns the reload function so pages can refresh after a change.
 */
export function loadInto<T>(
  container: HTMLElement,
  load: () => Promise<T>,
  render: (data: T) => Child | Child[],
): () => Promise<void> {
  let generation = 0;
  const run = async () => {
    const mine = ++generation;
    if (!container.hasChildNodes()) replace(container, spinner());
    container.setAttribute('aria-busy', 'true');
    try {
      const data = await load();
      // A newer reload started meanwhile (fast filter changes): its answer wins.
      if (mine !== generation) return;
      const nodes = render(data);
      replace(container, ...(Array.isArray(nodes) ? nodes : [nodes]));
    } catch (error) {
      if (mine === generation) replace(container, errorAlert(error, () => void run()));
    } finally {
      if (mine === generation) container.removeAttribute('aria-busy');
    }
  };
  void run();
  return run;
}

let toastArea: HTMLElement | null = null;

/** A short confirmation in the corner (“Category changed”), read out by screen readers. */
export function toast(message: string, tone: 'success' | 'danger' = 'success'): void {
  if (!toastArea || !toastArea.isConnected) {
    toastArea = h('div', { class: 'toast-area position-fixed bottom-0 end-0 p-3', 'aria-live': 'polite' });
    document.body.append(toastArea);
  }
  const item = h('div', { class: `alert alert-${tone} shadow-sm py-2 mb-2`, role: 'status' }, message);
  toastArea.append(item);
  setTimeout(() => item.remove(), 4000);
}

/** A click handler whose failure is shown to the user rather than lost in the console. */
export function guarded(action: () => Promise<void>): () => void {
  return () => {
    action().catch((error: unknown) => toast(describeError(error).detail, 'danger'));
  };
}
