import { h } from './dom';

const COLOURS = ['#009E73', '#0072B2', '#E69F00', '#CC79A7', '#56B4E9', '#D55E00'];

/**
 * A short burst of confetti with the reason as a toast-like message read out by screen readers.
 * With reduced motion asked for, only the message shows. Everything is gone after `ms`.
 */
export function celebrate(message: string, ms = 2500): HTMLElement {
  const still = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
  const pieces = still ? [] : Array.from({ length: 40 }, (_, i) => h('span', {
    class: 'confetti-piece',
    style: `left:${(i * 37) % 100}%;background:${COLOURS[i % COLOURS.length]};animation-delay:${(i % 10) * 60}ms`,
  }));
  const overlay = h('div', { class: 'celebration', 'aria-live': 'polite' },
    pieces, h('div', { class: 'celebration-message alert alert-success shadow', role: 'status' }, message));
  document.body.append(overlay);
  setTimeout(() => overlay.remove(), ms);
  return overlay;
}
