// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../src/api/problem';
import { field, onSubmit, submitButton } from '../src/ui/forms';
import { h } from '../src/ui/dom';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('forms show problems where they belong', () => {
  it('puts field errors under their inputs and the detail on top', async () => {
    const form = h('form', null, field({ name: 'email', label: 'Email' }), field({ name: 'password', label: 'Password', type: 'password' }), submitButton('Go'));
    document.body.append(form);
    onSubmit(form, async () => {
      throw new ApiProblem(422, 'the request has invalid fields', [{ field: 'password', message: 'must be 10 to 128 characters long' }]);
    });
    form.requestSubmit();
    await settle();
    const password = form.querySelector('[name=password]')!;
    expect(password.classList.contains('is-invalid')).toBe(true);
    expect(password.parentElement!.querySelector('.invalid-feedback')!.textContent).toBe('must be 10 to 128 characters long');
    expect(form.querySelector('.alert-danger')!.textContent).toBe('The request has invalid fields');
    expect(form.querySelector<HTMLButtonElement>('button')!.disabled).toBe(false);
  });

  it('lists errors for fields the form does not have in the alert', async () => {
    const form = h('form', null, field({ name: 'name', label: 'Name' }), submitButton('Go'));
    onSubmit(form, async () => {
      throw new ApiProblem(422, 'the request has invalid fields', [{ field: 'mapping.date_column', message: 'is required' }]);
    });
    form.requestSubmit();
    await settle();
    expect(form.querySelector('.alert-danger')!.textContent).toContain('mapping.date_column: is required');
  });

  it('labels every control', () => {
    for (const type of ['text', 'select', 'checkbox'] as const) {
      const el = field({ name: 'x', label: 'X', type, options: [['a', 'A']] });
      const control = el.querySelector('input, select')!;
      expect(el.querySelector(`label[for="${control.id}"]`)!.textContent).toBe('X');
    }
  });
});
