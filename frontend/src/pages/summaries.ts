// The "Email summaries" section of the settings page: weekly and monthly toggles with their days,
// a preview of the email, and why the feature is off when the server cannot send email.
import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { h, replace } from '../ui/dom';
import { guarded, loadInto, toast } from '../ui/feedback';
import { field, onSubmit, submitButton } from '../ui/forms';

export type SummarySettings = components['schemas']['SummarySettingsResponse'];
export type SummaryChoice = components['schemas']['SummarySettingsRequest'];
export type SummaryEmail = components['schemas']['SummaryEmail'];
export type PreviewPeriod = 'week' | 'month';

export interface SummaryActions {
  save: (choice: SummaryChoice) => Promise<SummarySettings>;
  preview: (period: PreviewPeriod) => Promise<SummaryEmail>;
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/**
 * The email as it would arrive: its HTML in a sandboxed frame (no scripts, no same-origin
 * access, nothing it could load), and the plain-text part under it.
 */
export function previewView(email: SummaryEmail): HTMLElement {
  return h('div', { class: 'mt-3', 'aria-label': 'Summary preview' },
    h('div', { class: 'fw-semibold mb-2', 'data-preview-subject': '' }, email.subject),
    h('iframe', { class: 'summary-preview w-100 border rounded bg-white', title: `Preview: ${email.subject}`, sandbox: '', srcdoc: email.html }),
    h('details', { class: 'mt-2' }, h('summary', { class: 'small' }, 'Plain-text version'),
      h('pre', { class: 'small text-wrap' }, email.text)));
}

export function summariesView(settings: SummarySettings, actions: SummaryActions): HTMLElement {
  const form = h('form', { 'aria-label': 'Email summaries' },
    h('fieldset', { disabled: !settings.available },
      field({ name: 'weekly', label: 'Weekly summary', type: 'checkbox', value: settings.weekly }),
      field({ name: 'weekly_day', label: 'Sent on', type: 'select', value: String(settings.weekly_day),
        options: WEEKDAYS.map((day, i) => [String(i + 1), day]), help: 'The week before, Monday to Sunday.' }),
      field({ name: 'monthly', label: 'Monthly summary', type: 'checkbox', value: settings.monthly }),
      field({ name: 'monthly_day', label: 'Day of the month', type: 'number', value: String(settings.monthly_day),
        required: true, help: 'The month before; in shorter months, their last day.', attrs: { min: '1', max: '31', inputmode: 'numeric' } }),
      submitButton('Save summaries')));
  onSubmit(form, async (data) => {
    const saved = await actions.save({
      weekly: data.get('weekly') !== null,
      weekly_day: Number(data.get('weekly_day')),
      monthly: data.get('monthly') !== null,
      monthly_day: Number(data.get('monthly_day')),
    });
    toast(saved.weekly || saved.monthly ? 'Summaries saved' : 'Summaries are off');
  });

  const preview = h('div', { 'aria-live': 'polite' });
  const show = (period: PreviewPeriod) => guarded(async () => {
    replace(preview, previewView(await actions.preview(period)));
  });
  return h('div', null,
    !settings.available && h('div', { class: 'alert alert-warning', role: 'status', 'data-summaries-off': '' },
      h('div', { class: 'fw-semibold' }, 'Email is not set up on this server'),
      h('div', { class: 'small' }, `${settings.unavailable_reason ?? 'Email summaries are off.'} Whoever runs Dhana can set it up; the preview below still shows what you would get.`)),
    h('p', { class: 'small' }, `Income, spending, savings rate, top categories, budgets and upcoming bills, in your inbox. Days are counted in ${settings.timezone}; every email has a link to stop it.`),
    form,
    h('div', { class: 'd-flex flex-wrap gap-2 mt-3' },
      h('button', { type: 'button', class: 'btn btn-outline-secondary btn-sm', onclick: show('week') }, 'Preview weekly'),
      h('button', { type: 'button', class: 'btn btn-outline-secondary btn-sm', onclick: show('month') }, 'Preview monthly')),
    preview);
}

/** The section, loaded from and saved to the API. */
export function summariesSection(): HTMLElement {
  const container = h('div', { 'aria-label': 'Email summaries settings' });
  const actions: SummaryActions = {
    save: async (body) => call(api.PUT('/api/v1/me/summary-settings', { body })),
    preview: async (period) => call(api.GET('/api/v1/me/summary-preview', { params: { query: { period } } })),
  };
  loadInto(container, async () => call(api.GET('/api/v1/me/summary-settings')), (settings) => summariesView(settings, actions));
  return container;
}
