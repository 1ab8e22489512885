import { api, call, type Schemas } from '../api/client';
import { accountOptions, fetchAccounts, fetchCategories, type Account, type Category } from '../api/reference';
import { formatDate } from '../format/dates';
import { formatMoney } from '../format/money';
import type { Page } from '../router';
import { h, replace, type Child } from '../ui/dom';
import { emptyState, errorAlert, guarded, loadInto, toast } from '../ui/feedback';
import { field, onSubmit, submitButton } from '../ui/forms';
import { cleanedCells, layoutFindings, mappingEditor } from './import-mapping';

type Preview = Schemas['PreviewResponse'];
type Import = Schemas['ImportResponse'];
type Mapping = Schemas['Mapping'];

/** The import wizard (upload → check the preview and mapping → commit → result) and the history. */
export const importPage: Page = ({ root, query }) => {
  const wizard = h('div');
  const history = h('div');
  let stopPolling = () => {};
  const reloadHistory: () => Promise<void> = loadInto(history, () => fetchHistory(), ([imports, accounts]) =>
    historyTable(imports, accounts, reloadHistory));

  loadInto(wizard, () => Promise.all([fetchAccounts(), fetchCategories()]), ([accounts, categories]) => {
    if (accounts.length === 0) {
      return emptyState('Add an account first: imported transactions belong to one.',
        h('a', { class: 'btn btn-primary', href: '/accounts' }, 'Add an account'));
    }
    const step = h('div');
    step.append(uploadStep(accounts, query.get('account_id'), (preview) => showPreview(preview)));
    const showPreview = (preview: Preview) => {
      const account = accounts.find((a) => a.id === preview.account_id);
      const dropPreview = async (message: string | null) => {
        await call(api.DELETE('/api/v1/imports/{id}', { params: { path: { id: preview.id } } }));
        if (message) toast(message);
        replace(step, uploadStep(accounts, String(preview.account_id), showPreview));
        await reloadHistory();
      };
      replace(step, previewStep(preview, accounts, categories, {
        // A preview left behind is discarded rather than left to expire in a day.
        restart: () => dropPreview(null),
        discard: () => dropPreview('Nothing imported; the file was discarded'),
        committed: async (result) => {
          replace(step, resultStep(result, account?.currency ?? 'XXX', () => {
            replace(step, uploadStep(accounts, String(preview.account_id), showPreview));
            void reloadHistory();
          }));
          await reloadHistory();
        },
        polling: (stop) => (stopPolling = stop),
      }));
    };
    return step;
  });

  root.append(
    h('h1', { class: 'h3 mb-3' }, 'Import a bank file'),
    h('section', { class: 'mb-4' }, wizard),
    h('section', null, h('h2', { class: 'h5 mb-3' }, 'Import history'), history));
  return () => stopPolling();
};

async function fetchHistory(): Promise<[Import[], Account[]]> {
  return Promise.all([
    call(api.GET('/api/v1/imports', { params: { query: { limit: 50 } } })).then((l) => l.items),
    fetchAccounts(true),
  ]);
}

function uploadStep(accounts: Account[], accountId: string | null, previewed: (p: Preview) => void): HTMLElement {
  const fileInput = field({
    name: 'file', label: 'Bank file', type: 'file', required: true,
    help: 'CSV or other delimited text, Excel (xlsx/xls), OpenDocument (ods), OFX/QFX or QIF.',
    attrs: { accept: '.csv,.txt,.tsv,.xlsx,.xls,.ods,.ofx,.qfx,.qif' },
  });
  const form = h('form', { class: 'card-body', 'aria-label': 'Upload a bank file' },
    field({ name: 'account_id', label: 'Account', type: 'select', required: true, options: accountOptions(accounts), value: accountId ?? undefined }),
    fileInput,
    field({
      name: 'route_by_account', type: 'checkbox', attrs: { value: 'true' },
      label: 'Send each row to my account it names, of the same name and currency (a Dhana export of several accounts)',
    }),
    submitButton('Preview'));
  // Dropping a file anywhere on the card puts it into the file input.
  const card = h('div', { class: 'card border-2 border-dashed' }, form);
  card.addEventListener('dragover', (e) => { e.preventDefault(); card.classList.add('border-primary'); });
  card.addEventListener('dragleave', () => card.classList.remove('border-primary'));
  card.addEventListener('drop', (e) => {
    e.preventDefault();
    card.classList.remove('border-primary');
    const input = fileInput.querySelector('input')!;
    if (e.dataTransfer?.files.length) input.files = e.dataTransfer.files;
  });
  onSubmit(form, async (data) => {
    // Sent as-is: the server reads the file and the account from the multipart form.
    previewed(await call(api.POST('/api/v1/imports', {
      body: data as unknown as Schemas['UploadForm'],
      bodySerializer: (body) => body as unknown as FormData,
    })));
  });
  return card;
}

interface PreviewActions {
  /** Discards the preview and asks for another file. */
  restart: () => Promise<void>;
  /** Drops the preview (and its stored file) and starts over. */
  discard: () => Promise<void>;
  committed: (result: Import) => Promise<void>;
  polling: (stop: () => void) => void;
}

function previewStep(initial: Preview, accounts: Account[], categories: Category[], actions: PreviewActions): HTMLElement {
  let preview = initial;
  let mapping: Mapping | null = preview.mapping ?? null;
  const container = h('div', { class: 'card' });
  const status = h('div', { 'aria-live': 'polite' });
  // After a re-preview from the editor it stays open: the user is still correcting the mapping.
  const repreview = async (next: Mapping, editorOpen: boolean) => {
    preview = await call(api.POST('/api/v1/imports/{id}/preview', { params: { path: { id: preview.id } }, body: { mapping: next } }));
    mapping = preview.mapping ?? next;
    render(editorOpen);
  };
  const render = (editorOpen = false) => {
    const { counts } = preview;
    const errors = preview.problems.filter((p) => !p.skipped);
    const skipInvalid = errors.length > 0
      ? field({ name: 'skip_invalid_rows', label: `Import the readable rows and leave out the ${errors.length} unreadable line(s)`, type: 'checkbox' })
      : null;
    const toImport = counts.rows - preview.duplicates;
    const nothingNew = toImport === 0 && preview.duplicates > 0;
    const commitButton = nothingNew
      ? h('button', { type: 'button', class: 'btn btn-outline-secondary', onclick: guarded(actions.discard) }, 'Discard this file')
      : h('button', { type: 'button', class: 'btn btn-primary', onclick: () => void commit() },
        `Import ${toImport} transaction${toImport === 1 ? '' : 's'}`);

    const commit = async () => {
      commitButton.disabled = true;
      const skip = skipInvalid?.querySelector('input')?.checked ?? false;
      const bar = progressBar(0);
      replace(status, bar);
      let polling = true;
      actions.polling(() => (polling = false));
      // The commit answers when done; meanwhile its progress is read from the import.
      void (async () => {
        while (polling) {
          await new Promise((r) => setTimeout(r, 400));
          const { data } = await api.GET('/api/v1/imports/{id}', { params: { path: { id: preview.id } } });
          if (polling && data) replace(status, progressBar(data.progress.percent));
        }
      })();
      try {
        const result = await call(api.POST('/api/v1/imports/{id}/commit', {
          params: { path: { id: preview.id } }, body: { mapping, skip_invalid_rows: skip },
        }));
        polling = false;
        await actions.committed(result);
      } catch (error) {
        polling = false;
        replace(status, errorAlert(error));
        commitButton.disabled = false;
      }
    };

    replace(container, h('div', { class: 'card-body' },
      h('div', { class: 'd-flex flex-wrap justify-content-between gap-2 mb-2' },
        h('h2', { class: 'h5 mb-0' }, preview.filename),
        h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', onclick: guarded(actions.restart) }, 'Choose another file')),
      h('p', { class: 'small text-secondary' },
        `${preview.format.toUpperCase()} · ${preview.encoding} · ${counts.rows} rows read`,
        preview.duplicates > 0 && ` · ${preview.duplicates} already in the account (skipped)`,
        counts.skipped > 0 && ` · ${counts.skipped} left out on purpose`),
      nothingNew && h('div', { class: 'alert alert-info', 'data-nothing-new': '' },
        `Nothing new to import: the account already has all ${preview.duplicates} rows of this file.`),
      mapping && layoutFindings(preview.findings, (order) => repreview({ ...mapping!, date_order: order }, false)),
      preview.problems.length > 0 && problemList(preview.problems),
      cleanedCells(preview.cleaned),
      mapping && preview.headers.length > 0 && mappingEditor(mapping, preview.headers, (next) => repreview(next, true), editorOpen),
      mapping && routingToggle(mapping, async (route) => {
        try {
          await repreview({ ...mapping!, route_by_account: route }, false);
        } catch (error) {
          replace(status, errorAlert(error));
        }
      }),
      h('h3', { class: 'h6 mt-3' }, `First ${preview.rows.length} rows as they will be stored`),
      previewTable(preview, accounts, categories),
      skipInvalid,
      h('div', { class: 'd-flex flex-wrap align-items-center gap-3 mt-3' }, commitButton, h('div', { class: 'flex-grow-1' }, status))));
  };
  render();
  return container;
}

function progressBar(percent: number): HTMLElement {
  return h('div', {
    class: 'progress', role: 'progressbar', 'aria-label': 'Import progress',
    'aria-valuenow': String(percent), 'aria-valuemin': '0', 'aria-valuemax': '100',
  }, h('div', { class: 'progress-bar progress-bar-striped progress-bar-animated', style: `width:${Math.max(percent, 5)}%` }, `${percent}%`));
}

function problemList(problems: Schemas['RowProblem'][]): HTMLElement {
  return h('div', { class: 'alert alert-warning small' },
    h('div', { class: 'fw-semibold mb-1' }, `${problems.length} line${problems.length === 1 ? '' : 's'} will not be imported`),
    h('ul', { class: 'mb-0 ps-3' }, problems.slice(0, 20).map((p) =>
      h('li', { class: 'preview-problem' }, p.message, p.skipped && h('span', { class: 'badge text-bg-secondary ms-1' }, 'skipped')))));
}

/**
 * For a file whose rows name their account (Dhana's own export of several accounts): whether each
 * row goes to the user's account of that name and currency rather than the one chosen.
 */
export function routingToggle(mapping: Mapping, change: (route: boolean) => Promise<void>): HTMLElement | null {
  if (mapping.account_column == null) return null;
  const toggle = field({
    name: 'route_by_account', type: 'checkbox', value: mapping.route_by_account ?? false,
    label: 'The rows of this file name their account: send each to my account of that name and currency (otherwise all go to the account chosen)',
  });
  const input = toggle.querySelector('input')!;
  input.addEventListener('change', () => {
    input.disabled = true;
    void change(input.checked).finally(() => (input.disabled = false));
  });
  return h('div', { class: 'routing-toggle mt-2' }, toggle);
}

/** The first rows as they will be stored; with routing, the account each goes to. */
export function previewTable(preview: Preview, accounts: Account[], categories: Category[]): HTMLElement {
  if (preview.rows.length === 0) return emptyState('No transactions could be read with this mapping. Check the columns above.');
  const routed = preview.mapping?.route_by_account === true && preview.mapping.account_column != null;
  const accountOf = (id: number) => accounts.find((a) => a.id === id);
  return h('div', { class: 'table-responsive' }, h('table', { class: 'table table-sm table-tx import-preview mb-0' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Line'), h('th', { scope: 'col' }, 'Date'),
      h('th', { scope: 'col' }, 'Description'),
      routed && h('th', { scope: 'col' }, 'Account'),
      h('th', { scope: 'col' }, 'Category'),
      h('th', { scope: 'col', class: 'text-end' }, 'Amount'))),
    h('tbody', null, preview.rows.map((row) => {
      const account = accountOf(row.account_id);
      return h('tr', { class: row.duplicate ? 'text-secondary' : '', 'data-line': String(row.line) },
        h('td', { class: 'wide-only' }, row.line),
        h('td', { class: 'wide-only text-nowrap' }, formatDate(row.date)),
        h('td', { class: 'cell-desc text-break' }, row.description, row.duplicate && h('span', { class: 'badge text-bg-secondary ms-2' }, 'already imported')),
        routed && h('td', { class: 'cell-account wide-only small' }, account?.name ?? '—'),
        h('td', { class: 'cell-category small' }, categoryLabel(categories.find((c) => c.id === row.category_id), row.category_source)),
        h('td', { class: `cell-amount amount ${row.amount > 0 ? 'amount-in' : ''}` }, formatMoney(row.amount, account?.currency ?? 'XXX')),
        // Phones only: what the wide table shows in columns of its own.
        h('td', { class: 'cell-more phone-only small text-secondary' }, h('details', null,
          h('summary', null, 'More'),
          `Line ${row.line} · ${formatDate(row.date)}`, row.merchant_name && ` · ${row.merchant_name}`,
          routed && ` · to ${account?.name ?? '—'}`)));
    }))));
}

/** A category as the preview shows it: its colour and name, and who picked it. */
function categoryLabel(category: Category | undefined, source: Schemas['CategorySource'] | null | undefined): Child {
  if (!category) return h('span', { class: 'text-secondary' }, '—');
  const by = source === 'model' ? 'auto' : source === 'rule' ? 'rule' : source === 'import' ? 'bank' : null;
  return h('span', { class: 'd-inline-flex align-items-center gap-1' },
    h('span', { class: 'swatch', style: `background:${category.color}` }), category.name,
    by && h('span', { class: 'text-secondary' }, `· ${by}`));
}

function resultStep(result: Import, currency: string, again: () => void): HTMLElement {
  const { counts } = result;
  const undo = async () => {
    if (!confirm(`Remove the ${counts.imported} transactions of this import?`)) return;
    await call(api.DELETE('/api/v1/imports/{id}', { params: { path: { id: result.id } } }));
    toast('Import undone');
    again();
  };
  return h('div', { class: 'card border-success', 'data-import-result': String(result.id) }, h('div', { class: 'card-body' },
    h('h2', { class: 'h5 text-success' }, 'Import complete'),
    h('dl', { class: 'row mb-3 import-counts' },
      ...([['Imported', counts.imported], ['Already there (duplicates)', counts.duplicates], ['Unreadable lines', counts.errors], ['Left out on purpose', counts.skipped]] as const)
        .flatMap(([label, n]) => [h('dt', { class: 'col-8 col-sm-4 col-lg-3 fw-normal' }, label), h('dd', { class: 'col-4 col-sm-8 col-lg-9 mb-1 fw-semibold' }, n)])),
    h('p', { class: 'small text-secondary' }, `Amounts are in ${currency}.`),
    h('div', { class: 'd-flex flex-wrap gap-2' },
      h('a', { class: 'btn btn-primary', href: `/transactions?import_id=${result.id}` }, 'See the transactions'),
      h('button', { type: 'button', class: 'btn btn-outline-danger', onclick: guarded(undo) }, 'Undo this import'),
      h('button', { type: 'button', class: 'btn btn-outline-secondary', onclick: again }, 'Import another file'))));
}

function historyTable(imports: Import[], accounts: Account[], reload: () => Promise<void>): HTMLElement {
  if (imports.length === 0) return emptyState('No imports yet.');
  const accountName = (id: number) => accounts.find((a) => a.id === id)?.name ?? '—';
  const undo = (item: Import) => guarded(async () => {
    if (!confirm(`Undo the import of ${item.filename}? Its ${item.counts.imported} transactions are removed.`)) return;
    await call(api.DELETE('/api/v1/imports/{id}', { params: { path: { id: item.id } } }));
    toast('Import undone');
    await reload();
  });
  const discard = (item: Import) => guarded(async () => {
    await call(api.DELETE('/api/v1/imports/{id}', { params: { path: { id: item.id } } }));
    toast('Preview discarded');
    await reload();
  });
  const when = (item: Import) => formatDate(item.created_at.slice(0, 10));
  return h('div', { class: 'table-responsive' }, h('table', { class: 'table table-sm align-middle import-history' },
    h('thead', null, h('tr', null, ['File', 'Account', 'When', 'Status', 'Imported', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, imports.map((item) => h('tr', { 'data-import': String(item.id) },
      h('td', { class: 'cell-file file-name' }, item.filename),
      h('td', { class: 'wide-only' }, accountName(item.account_id)),
      h('td', { class: 'wide-only text-nowrap' }, when(item)),
      h('td', { class: 'cell-status' }, h('span', { class: `badge ${item.status === 'committed' ? 'text-bg-success' : item.status === 'failed' ? 'text-bg-danger' : 'text-bg-secondary'}` }, item.status.replace('_', ' '))),
      h('td', { class: 'wide-only' }, item.counts.imported),
      h('td', { class: 'cell-meta phone-only small text-secondary' },
        `${accountName(item.account_id)} · ${when(item)} · ${item.counts.imported} imported`),
      h('td', { class: 'cell-actions text-end' },
        item.status === 'committed' && h('button', { type: 'button', class: 'btn btn-sm btn-outline-danger', onclick: undo(item) }, 'Undo'),
        (item.status === 'previewed' || item.status === 'failed' || item.status === 'nothing_new') &&
          h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', onclick: discard(item) }, 'Discard')))))));
}
