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

  it('clears the errors of the last submit before showing the next ones', async () => {
    const form = h('form', null, field({ name: 'name', label: 'Name' }), field({ name: 'amount', label: 'Amount' }), submitButton('Go'));
    document.body.append(form);
    let failing = 'name';
    onSubmit(form, async () => {
      throw new ApiProblem(422, 'the request has invalid fields', [{ field: failing, message: `${failing} is wrong` }]);
    });
    form.requestSubmit();
    await settle();
    failing = 'amount';
    form.requestSubmit();
    await settle();
    const name = form.querySelector('[name=name]')!;
    expect(name.classList.contains('is-invalid')).toBe(false);
    expect(name.parentElement!.querySelector('.invalid-feedback')!.textContent).toBe('');
    expect(form.querySelector('[name=amount]')!.classList.contains('is-invalid')).toBe(true);
    expect(form.querySelectorAll('.alert-danger')).toHaveLength(1);

    // Correcting the field clears its mark; a submit the browser stops clears the rest.
    const amount = form.querySelector<HTMLInputElement>('[name=amount]')!;
    amount.value = '12';
    amount.dispatchEvent(new Event('input', { bubbles: true }));
    expect(amount.classList.contains('is-invalid')).toBe(false);
    failing = 'name';
    form.requestSubmit();
    await settle();
    expect(name.classList.contains('is-invalid')).toBe(true);
    amount.dispatchEvent(new Event('invalid'));
    expect(name.classList.contains('is-invalid')).toBe(false);
    expect(form.querySelector('.alert-danger')).toBeNull();
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
