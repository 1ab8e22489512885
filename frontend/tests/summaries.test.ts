// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { previewView, summariesView, type SummarySettings } from '../src/pages/summaries';

const on: SummarySettings = {
  available: true, unavailable_reason: null, timezone: 'UTC',
  weekly: true, weekly_day: 3, monthly: false, monthly_day: 31,
};
const off: SummarySettings = {
  ...on, available: false, weekly: false,
  unavailable_reason: 'No SMTP server is configured (DHANA_SMTP_URL or DHANA_SMTP_HOST)',
};
const email = {
  subject: 'Your week in Dhana: 2026-11-16 to 2026-11-22',
  text: 'Hello <Asha>,\n- Income: 3000.00 USD',
  html: '<html><body><p>Hello &lt;Asha&gt;</p><script>parent.hacked = true</script></body></html>',
};
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('email summaries', () => {
  it('shows the stored choices', () => {
    const view = summariesView(on, { save: vi.fn(), preview: vi.fn() });
    expect(view.querySelector<HTMLInputElement>('[name=weekly]')!.checked).toBe(true);
    expect(view.querySelector<HTMLSelectElement>('[name=weekly_day]')!.value).toBe('3');
    expect(view.querySelector<HTMLSelectElement>('[name=weekly_day]')!.selectedOptions[0]?.textContent).toBe('Wednesday');
    expect(view.querySelector<HTMLInputElement>('[name=monthly]')!.checked).toBe(false);
    expect(view.querySelector<HTMLInputElement>('[name=monthly_day]')!.value).toBe('31');
    expect(view.querySelector('[data-summaries-off]')).toBeNull();
  });

  it('says why when the server cannot send email, and disables the choices', () => {
    const view = summariesView(off, { save: vi.fn(), preview: vi.fn() });
    expect(view.querySelector('[data-summaries-off]')!.textContent).toContain('DHANA_SMTP_URL');
    expect(view.querySelector('fieldset')!.disabled).toBe(true);
    expect(view.textContent).toContain('Preview weekly');
  });

  it('saves what is chosen', async () => {
    const save = vi.fn().mockResolvedValue({ ...on, monthly: true, monthly_day: 15 });
    const view = summariesView(on, { save, preview: vi.fn() });
    document.body.append(view);
    view.querySelector<HTMLInputElement>('[name=monthly]')!.checked = true;
    view.querySelector<HTMLInputElement>('[name=monthly_day]')!.value = '15';
    view.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await flush();
    expect(save).toHaveBeenCalledWith({ weekly: true, weekly_day: 3, monthly: true, monthly_day: 15 });
    view.remove();
  });

  it('shows a preview in a sandboxed frame, never in the page', async () => {
    const preview = vi.fn().mockResolvedValue(email);
    const view = summariesView(on, { save: vi.fn(), preview });
    [...view.querySelectorAll('button')].find((b) => b.textContent === 'Preview monthly')!.click();
    await flush();
    expect(preview).toHaveBeenCalledWith('month');
    const frame = view.querySelector('iframe')!;
    expect(frame.getAttribute('sandbox')).toBe('');
    expect(frame.getAttribute('srcdoc')).toBe(email.html);
    expect(view.querySelector('script')).toBeNull();
    expect(view.querySelector('[data-preview-subject]')!.textContent).toBe(email.subject);
    expect(view.querySelector('pre')!.textContent).toBe(email.text);
  });

  it('keeps the plain text as text', () => {
    const shown = previewView(email);
    expect(shown.querySelector('pre')!.innerHTML).toContain('&lt;Asha&gt;');
  });
});
