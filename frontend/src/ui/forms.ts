import { ApiProblem, describeError } from '../api/problem';
import { h, replace, uid } from './dom';
import { errorAlert } from './feedback';

export type Option = [value: string, label: string];

export interface FieldSpec {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'number' | 'date' | 'month' | 'color' | 'search' | 'select' | 'checkbox' | 'file';
  value?: string | boolean;
  required?: boolean;
  options?: Option[];
  help?: string;
  /** Extra attributes: autocomplete, inputmode, placeholder, minlength, accept… */
  attrs?: Record<string, string>;
  /** Bootstrap column classes when the form lays fields out in a row. */
  col?: string;
}

/**
 * A labelled control with room for its error message: one shape for every form. Values are set
 * as defaults (`defaultValue`, `defaultSelected`, `defaultChecked`) so `form.reset()` restores them.
 */
export function field(spec: FieldSpec): HTMLElement {
  const id = uid(spec.name);
  const helpId = spec.help ? `${id}-help` : undefined;
  const common = { id, name: spec.name, required: spec.required, 'aria-describedby': helpId, ...spec.attrs };
  let control: HTMLElement;
  if (spec.type === 'select') {
    control = h('select', { class: 'form-select', ...common },
      (spec.options ?? []).map(([value, label]) => h('option', { value, defaultSelected: value === spec.value }, label)));
  } else if (spec.type === 'checkbox') {
    return h('div', { class: `form-check mb-3 ${spec.col ?? ''}` },
      h('input', { class: 'form-check-input', type: 'checkbox', ...common, defaultChecked: spec.value === true }),
      h('label', { class: 'form-check-label', for: id }, spec.label),
      h('div', { class: 'invalid-feedback' }));
  } else {
    control = h('input', {
      class: spec.type === 'color' ? 'form-control form-control-color' : 'form-control',
      type: spec.type ?? 'text', ...common,
      defaultValue: typeof spec.value === 'string' ? spec.value : undefined,
    });
  }
  return h('div', { class: `mb-3 ${spec.col ?? ''}` },
    h('label', { class: 'form-label', for: id }, spec.label),
    control,
    helpId && h('div', { class: 'form-text', id: helpId }, spec.help),
    h('div', { class: 'invalid-feedback' }));
}

export function submitButton(label: string, tone = 'primary'): HTMLButtonElement {
  return h('button', { type: 'submit', class: `btn btn-${tone}` }, label);
}

function clearErrors(form: HTMLFormElement): void {
  form.querySelectorAll('.is-invalid').forEach((el) => el.classList.remove('is-invalid'));
  form.querySelectorAll('.invalid-feedback').forEach((el) => replace(el as HTMLElement));
  form.querySelector(':scope > .form-alert')?.replaceChildren();
}

/**
 * Runs `action` on submit with the button disabled; field errors of a 422 are shown under their
 * inputs (matched by `name`), everything else in an alert at the top of the form.
 */
export function onSubmit(form: HTMLFormElement, action: (data: FormData) => Promise<void>): void {
  let alertBox = form.querySelector<HTMLElement>(':scope > .form-alert');
  if (!alertBox) {
    alertBox = h('div', { class: 'form-alert', 'aria-live': 'assertive' });
    form.prepend(alertBox);
  }
  const box = alertBox;
  // The browser's own checks (required, pattern) stop a submit before it reaches the handler:
  // the errors of the last answer are cleared then too, so none outlives the attempt.
  form.addEventListener('invalid', () => clearErrors(form), true);
  // A field being corrected is no longer marked wrong.
  form.addEventListener('input', (event) => {
    const input = event.target;
    if (!(input instanceof HTMLElement) || !input.classList.contains('is-invalid')) return;
    input.classList.remove('is-invalid');
    const feedback = input.parentElement?.querySelector('.invalid-feedback');
    if (feedback) replace(feedback as HTMLElement);
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const buttons = form.querySelectorAll<HTMLButtonElement>('button[type=submit]');
    buttons.forEach((b) => (b.disabled = true));
    try {
      await action(new FormData(form));
    } catch (error) {
      const problem = describeError(error);
      const placed = problem.fieldErrors.map((e) => markField(form, e.field, e.message));
      // Messages shown under their inputs are not repeated in the alert.
      const allPlaced = placed.every(Boolean);
      replace(box, errorAlert(allPlaced ? new ApiProblem(problem.status, problem.detail) : problem));
      form.querySelector<HTMLElement>('.is-invalid')?.focus();
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  });
}

function markField(form: HTMLFormElement, field: string, message: string): boolean {
  const name = field.split('.').pop() ?? field;
  const named = form.elements.namedItem(name);
  const input = named instanceof HTMLElement ? named : null;
  const feedback = input?.parentElement?.querySelector('.invalid-feedback');
  if (!input || !feedback) return false;
  input.classList.add('is-invalid');
  feedback.append(h('div', null, message));
  return true;
}

/** A trimmed text value, `null` when empty. */
export function text(data: FormData, name: string): string | null {
  const value = data.get(name);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** A number (an id, a priority) from a field, `null` when empty. */
export function numberOrNull(data: FormData, name: string): number | null {
  const value = text(data, name);
  return value === null ? null : Number(value);
}
