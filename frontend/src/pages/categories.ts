import { api, call } from '../api/client';
import { categoryOptions, fetchCategories, inTreeOrder, type Category } from '../api/reference';
import type { Page } from '../router';
import { h, replace } from '../ui/dom';
import { emptyState, loadInto, toast } from '../ui/feedback';
import { field, numberOrNull, onSubmit, submitButton, text, type Option } from '../ui/forms';

const KINDS: Option[] = [['expense', 'Spending'], ['income', 'Income'], ['transfer', 'Transfer (left out of totals)']];

export const categoriesPage: Page = ({ root }) => {
  const body = h('div');
  const reload: () => Promise<void> = loadInto(body, fetchCategories, (categories) => [
    h('section', { class: 'card mb-4' }, h('div', { class: 'card-body' },
      h('h2', { class: 'h6 card-title' }, 'Add a category'), categoryForm(categories, null, reload, null))),
    categories.length === 0 ? emptyState('No categories.')
      : h('div', { class: 'list-group' }, inTreeOrder(categories).map(({ category }) => categoryRow(category, categories, reload))),
  ]);
  root.append(h('h1', { class: 'h3 mb-3' }, 'Categories'), body);
};

/** Adding and editing a category: one form, filled from `existing` when editing. */
function categoryForm(categories: Category[], existing: Category | null, saved: () => Promise<void>, cancel: (() => void) | null): HTMLFormElement {
  const parents: Option[] = [['', '— top level —'], ...categories
    .filter((c) => !c.parent_id && c.id !== existing?.id).map((c): Option => [String(c.id), c.name])];
  const form = h('form', { class: 'row g-2 align-items-end', 'aria-label': existing ? `Edit ${existing.name}` : 'New category' },
    field({ name: 'name', label: 'Name', required: true, value: existing?.name ?? '', col: 'col-12 col-md-4' }),
    field({ name: 'kind', label: 'Kind', type: 'select', options: KINDS, value: existing?.kind ?? 'expense', col: 'col-6 col-md-2' }),
    field({ name: 'parent_id', label: 'Inside', type: 'select', options: parents, value: String(existing?.parent_id ?? ''), col: 'col-6 col-md-3' }),
    field({ name: 'color', label: 'Colour', type: 'color', value: existing?.color ?? '#0072B2', col: 'col-4 col-md-1' }),
    h('div', { class: 'col-8 col-md-2 mb-3 d-flex gap-2' }, submitButton(existing ? 'Save' : 'Add'),
      cancel && h('button', { type: 'button', class: 'btn btn-outline-secondary', onclick: cancel }, 'Cancel')));
  onSubmit(form, async (data) => {
    const body = {
      name: text(data, 'name') ?? '',
      kind: data.get('kind') as Category['kind'],
      parent_id: numberOrNull(data, 'parent_id'),
      color: String(data.get('color')).toUpperCase(),
    };
    if (existing) await call(api.PATCH('/api/v1/categories/{id}', { params: { path: { id: existing.id } }, body }));
    else await call(api.POST('/api/v1/categories', { body }));
    toast(existing ? 'Category saved' : 'Category added');
    await saved();
  });
  return form;
}

function categoryRow(category: Category, categories: Category[], reload: () => Promise<void>): HTMLElement {
  const slot = h('div');
  const parent = categories.find((c) => c.id === category.parent_id);
  const edit = () => replace(slot, h('div', { class: 'mt-2' }, categoryForm(categories, category, reload, () => replace(slot))));
  const remove = () => {
    const others: Option[] = [['', 'leave them uncategorized'], ...categoryOptions(categories.filter((c) => c.id !== category.id), category.kind)];
    const form = h('form', { class: 'row g-2 align-items-end mt-2', 'aria-label': `Delete ${category.name}` },
      field({ name: 'move_to', label: 'Its transactions', type: 'select', options: others, col: 'col-12 col-md-6' }),
      h('div', { class: 'col-12 col-md-6 mb-3 d-flex gap-2' }, submitButton('Delete category', 'danger'),
        h('button', { type: 'button', class: 'btn btn-outline-secondary', onclick: () => replace(slot) }, 'Cancel')));
    onSubmit(form, async (data) => {
      const moveTo = numberOrNull(data, 'move_to');
      const result = await call(api.DELETE('/api/v1/categories/{id}', {
        params: { path: { id: category.id }, query: moveTo === null ? {} : { move_to: moveTo } },
      }));
      toast(`Category deleted; ${result.transactions_moved} transaction(s) ${moveTo === null ? 'uncategorized' : 'moved'}`);
      await reload();
    });
    replace(slot, form);
  };
  const kind = KINDS.find(([k]) => k === category.kind)?.[1] ?? category.kind;
  return h('div', { class: `list-group-item${parent ? ' ps-5' : ''}` },
    h('div', { class: 'd-flex align-items-center gap-2' },
      h('span', { class: 'swatch', style: `background:${category.color}` }),
      h('span', { class: 'me-auto' }, parent && h('span', { class: 'text-secondary' }, `${parent.name} › `), category.name,
        h('span', { class: 'small text-secondary ms-2' }, kind)),
      h('div', { class: 'btn-group btn-group-sm' },
        h('button', { type: 'button', class: 'btn btn-outline-secondary', onclick: edit }, 'Edit'),
        h('button', { type: 'button', class: 'btn btn-outline-danger', onclick: remove }, 'Delete'))),
    slot);
}
