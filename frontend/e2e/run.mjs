// End-to-end: the real backend on SQLite and the built app in Debian's headless Chromium.
// One scenario (register → settings → account → import → dashboard → recategorize → budget →
// export → reports → sign out and in) at a desktop width and at a 390 px phone width, with
// screenshots of every page in e2e/screenshots/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const here = import.meta.dirname;
const shots = join(here, 'screenshots');
const fixture = join(here, 'fixtures', 'bank-statement.csv');
// A year like issue 10's: salary, rent, groceries, freelance payments and a bonus, with the
// bank's own category column so that the figures do not depend on the categorizer.
const yearFixture = join(here, 'fixtures', 'year-2025.csv');

/** The file's own totals in cents: money in and money out (positive), overall and per month. */
function fileTotals(path) {
  const totals = new Map();
  for (const line of readFileSync(path, 'utf8').trim().split('\n').slice(1)) {
    const [date, amount] = line.split(',');
    const cents = Math.round(Number(amount) * 100);
    for (const key of [date.slice(0, 4), date.slice(0, 7)]) {
      const t = totals.get(key) ?? { income: 0, spending: 0 };
      if (cents > 0) t.income += cents; else t.spending -= cents;
      totals.set(key, t);
    }
  }
  return totals;
}
const euros = (cents) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' }).format(cents / 100);
const exactly = (text) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
const PASSWORD = 'correct horse battery';
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** Waits until the locator's text matches (the app loads data after navigation). */
async function expectText(locator, pattern, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.first().textContent().catch(() => null)) ?? '';
    if (pattern.test(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${pattern} but found ${JSON.stringify(last)}`);
}

/** The locator's box once it is laid out (lists re-render after each change). */
async function boxOf(locator, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const box = await locator.first().boundingBox().catch(() => null);
    if (box && box.width > 0) return box;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

async function scenario(browserContext, base, viewport) {
  const page = browserContext.pages()[0] ?? (await browserContext.newPage());
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // Not a problem: the init script below is injected into every frame, and Chromium refuses it in
  // the email preview's sandboxed frame (which must run no script) with this message.
  const sandboxRefusal = /^Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed/;
  page.on('console', (m) => m.type() === 'error' && !/status of (401|422)/.test(m.text()) /* signed out; the deliberate bad password */ && !sandboxRefusal.test(m.text()) && problems.push(`console: ${m.text()}`));
  let shot = 0;
  const screenshot = async (name) => {
    await page.waitForTimeout(400); // Let charts finish their entry animation.
    await page.screenshot({ path: join(shots, `${viewport.name}-${String(++shot).padStart(2, '0')}-${name}.png`), fullPage: true });
  };
  const nav = async (label) => {
    const toggler = page.locator('.navbar-toggler');
    if (await toggler.isVisible()) await toggler.click();
    await page.locator('nav a', { hasText: label }).first().click();
  };
  const email = `asha-${viewport.name}@example.com`;
  page.on('dialog', (dialog) => dialog.accept()); // "Delete …?" confirmations.

  // Register: the app starts at sign-in, registration signs in and opens the accounts page. The
  // whole scenario runs under the server's Content-Security-Policy: a violation is a console
  // error, which fails the run.
  // Every celebration shown, in order, to check that each is shown once.
  await page.addInitScript(() => {
    window.celebrated = [];
    new MutationObserver((records) => {
      for (const r of records) {
        for (const node of r.addedNodes) {
          if (node instanceof HTMLElement && node.classList.contains('celebration')) window.celebrated.push(node.textContent);
        }
      }
    }).observe(document, { childList: true, subtree: true });
  });
  const home = await page.goto(base);
  assert(/frame-ancestors 'none'/.test(home.headers()['content-security-policy'] ?? ''), 'the app is served with its CSP');
  await page.waitForURL(/\/login$/);
  await screenshot('sign-in');
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Your name').fill('Asha');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expectText(page.locator('input[name=password] ~ .invalid-feedback'), /10 to 128 characters/);
  await screenshot('register-error');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/accounts$/);

  // Settings: report in euros.
  await page.goto(`${base}/settings`);
  await page.getByLabel('Base currency').fill('EUR');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expectText(page.locator('.toast-area'), /Profile saved/);
  // This browser is listed among the sign-ins, named from its User-Agent.
  await expectText(page.locator('[aria-label="Sign-ins"]'), /Chrome on Linux.*This one/);
  // A personal access token for a script: shown once, then listed by name.
  await page.getByLabel('Token name').fill('nightly import');
  await page.getByLabel('Import bank files').check();
  await page.getByRole('button', { name: 'Create token' }).click();
  await expectText(page.locator('[data-token]'), /^dhana_pat_/);
  await expectText(page.locator('[aria-label="Personal access tokens"] .list-group'), /nightly import.*read, import/);
  // Email summaries: this server has no SMTP, which the section says, naming the setting; the
  // preview still shows the email (its HTML in a sandboxed frame, under the page's CSP).
  const summaries = page.locator('[aria-label="Email summaries settings"]');
  await expectText(summaries.locator('[data-summaries-off]'), /not set up.*DHANA_SMTP_URL/);
  assert(await summaries.getByLabel('Weekly summary').isDisabled(), 'no toggles without SMTP');
  await summaries.getByRole('button', { name: 'Preview monthly' }).click();
  await expectText(summaries.locator('[data-preview-subject]'), /^Your month in Dhana: \d{4}-\d{2}$/);
  const previewBox = await boxOf(summaries.locator('iframe'));
  assert(previewBox && previewBox.width <= viewport.width && previewBox.height > 200, `the preview fits: ${JSON.stringify(previewBox)}`);
  // Read from the frame's document as given, not by running a query inside it: the frame may run
  // no script, and a probe into it is logged as a blocked script.
  const previewHtml = await summaries.locator('iframe.summary-preview').getAttribute('srcdoc');
  assert(/Income[\s\S]*0\.00 EUR/.test(previewHtml ?? ''), 'the preview frame holds the email');
  assert(!/<script/i.test(previewHtml ?? ''), 'the email has no script');
  await screenshot('settings');

  // An account.
  await nav('Accounts');
  await expectText(page.locator('main'), /No accounts yet/);
  await page.getByLabel('Name', { exact: true }).fill('Everyday');
  await page.getByLabel('Opening balance').fill('1.000,00');
  await page.getByRole('button', { name: 'Add account' }).click();
  await expectText(page.locator('.list-group-item'), /Everyday.*€1,000\.00/);
  // Renamed, retyped and given another opening balance in place, then named back.
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const editAccount = page.getByRole('form', { name: 'Edit account Everyday' });
  await editAccount.getByLabel('Name').fill('Everyday spending');
  await editAccount.getByLabel('Type').selectOption('savings');
  await editAccount.getByLabel('Opening balance (EUR)').fill('1000.50');
  await editAccount.getByRole('button', { name: 'Save' }).click();
  await expectText(page.locator('.list-group-item'), /Everyday spending.*Savings.*€1,000\.50/);
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const renamed = page.getByRole('form', { name: 'Edit account Everyday spending' });
  await renamed.getByLabel('Name').fill('Everyday');
  await renamed.getByLabel('Type').selectOption('checking');
  await renamed.getByLabel('Opening balance (EUR)').fill('1000');
  await renamed.getByRole('button', { name: 'Save' }).click();
  await expectText(page.locator('.list-group-item'), /^EverydayChecking · EUR · opened with €1,000\.00/);
  await screenshot('accounts');

  // Import the bank CSV through the wizard.
  await nav('Import');
  await page.getByLabel('Bank file', { exact: true }).setInputFiles(fixture);
  await page.getByRole('button', { name: 'Preview' }).click();
  await expectText(page.locator('main table'), /SALARY ACME GMBH/);
  const previewText = await page.locator('main table').first().textContent();
  assert(previewText.includes('€2,500.00') && previewText.includes('-€54.20'), `preview amounts: ${previewText}`);
  await screenshot('import-preview');
  // Every preview row keeps its category and amount in view, at either width.
  for (const cell of ['.cell-category', '.cell-amount']) {
    const box = await boxOf(page.locator(`.import-preview tbody tr ${cell}`));
    assert(box && box.width > 0 && box.x + box.width <= viewport.width, `${cell} is visible: ${JSON.stringify(box)}`);
  }
  // Correct the mapping the wrong way (month first) and back: unreadable dates are listed.
  const mapping = page.locator('details', { hasText: 'Columns and formats' });
  await mapping.locator('summary').click();
  await page.getByLabel('Dates are written').selectOption('mdy');
  await page.getByRole('button', { name: 'Update preview' }).click();
  await expectText(page.locator('.alert-warning'), /lines? will not be imported/);
  await screenshot('import-mapping-problems');
  await page.getByLabel('Dates are written').selectOption('dmy');
  await page.getByRole('button', { name: 'Update preview' }).click();
  await page.locator('.alert-warning').waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Import 9 transactions' }).click();
  await expectText(page.locator('.import-counts'), /Imported\s*9/);
  await expectText(page.locator('.celebration-message', { hasText: 'First import' }), /Badges? earned: .*First import/);
  await screenshot('import-result');

  // The dashboard opens on October 2026, the latest month with transactions (this month has
  // none), and says so; its totals are the fixture's own, and its charts are drawn.
  await nav('Dashboard');
  await expectText(page.locator('[data-fallback]'), /showing October 2026, the latest month with transactions/);
  assert(await page.getByLabel('Month', { exact: true }).inputValue() === '2026-10', 'the picker shows the month shown');
  await expectText(page.locator('[data-summary=income] .summary-value'), /^€2,500\.00$/);
  await expectText(page.locator('[data-summary=spending] .summary-value'), /^€1,113\.99$/);
  await expectText(page.locator('[data-summary=net] .summary-value'), /^\+€1,386\.01$/);
  await expectText(page.locator('[data-summary=savings-rate] .summary-value'), /55\.4%/);
  await expectCharts(page, 3);
  await screenshot('dashboard');

  // The categorizer filed the imported rows; the user re-files them: every REWE line in bulk to
  // Shopping, the café inline to Entertainment.
  await expectText(page.locator('.chart-legend'), /Groceries/);
  await nav('Transactions');
  const filters = page.locator('details', { hasText: 'Filters' });
  if (!(await filters.evaluate((d) => d.open))) await filters.locator('summary').click();
  await page.getByLabel('Search').fill('REWE');
  await expectText(page.locator('[data-totals]'), /^3 transactions/);
  await page.getByLabel('Select all shown').check();
  await page.getByLabel('Category for the selected').selectOption({ label: 'Shopping' });
  await page.getByRole('button', { name: 'Set category' }).click();
  await expectText(page.locator('.toast-area'), /3 transactions re-filed/);
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByLabel('Month').fill('2026-10');
  await page.getByLabel('Month').dispatchEvent('change');
  await expectText(page.locator('[data-totals]'), /^6 transactions.*In €2,500\.00.*Out €1,113\.99/);
  await page.getByLabel('Category of CAFE CENTRAL').selectOption({ label: 'Entertainment' });
  await expectText(page.locator('.toast-area'), /filed under Entertainment/);
  await page.reload();
  await expectText(page.getByLabel('Category of CAFE CENTRAL').locator('option:checked'), /^Entertainment$/);
  await screenshot('transactions');

  // Export the filtered set as CSV.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
  assert(csv.length === 7, `export has a header and the 6 October rows, got ${csv.length} lines`);
  assert(csv.some((line) => line.includes('CAFE CENTRAL') && line.includes('Entertainment')), 'export carries the new category');

  // A shopping budget in October: 137.20 of 200.00 spent.
  await nav('Budgets');
  await page.getByLabel('Month', { exact: true }).fill('2026-10');
  await page.getByLabel('Month', { exact: true }).dispatchEvent('change');
  await expectText(page.locator('main h2').first(), /October 2026/);
  await page.waitForSelector('main [aria-busy]', { state: 'detached' });
  await page.getByLabel('Category').selectOption({ label: 'Shopping' });
  await page.getByLabel(/Monthly limit/).fill('200');
  await page.getByLabel('From month').fill('2026-10');
  await page.getByRole('button', { name: 'Set budget' }).click();
  // The first budget earns its badge: celebrated with confetti right after the write.
  await expectText(page.locator('.celebration-message', { hasText: 'First budget' }), /Badges? earned: .*First budget/);
  const bar = page.getByRole('progressbar', { name: 'Shopping budget' });
  await bar.waitFor();
  assert(Number(await bar.getAttribute('aria-valuenow')) === 68.6, 'the shopping bar is at 68.6%');
  await expectText(page.locator('.budget[data-status=ok]'), /€137\.20 of €200\.00/);
  // A tighter limit for October alone turns the bar amber.
  await page.getByRole('button', { name: 'Change' }).click();
  await page.getByLabel('Only in October 2026').fill('150');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expectText(page.locator('.budget[data-status=warning]'), /€137\.20 of €150\.00.*91\.5%.*Close to the limit/);
  assert(await page.locator('.budget .progress-bar.bg-warning').count() === 1, 'the bar is amber');
  await screenshot('budgets');

  // The dashboard now shows the categories and the budget bar.
  await nav('Dashboard');
  await expectText(page.locator('.chart-legend'), /Shopping/);
  await expectText(page.locator('.budget'), /Shopping/);
  await expectCharts(page, 3);
  await screenshot('dashboard-categorized');
  // The whole year: September and October together; no monthly budgets or day-by-day chart.
  await page.getByLabel('Show a month or a year').selectOption('year');
  await page.waitForURL(/year=2026/);
  await expectText(page.locator('[data-summary=income] .summary-value'), /^€4,900\.00$/);
  await expectText(page.locator('[data-summary=spending] .summary-value'), /^€2,075\.29$/);
  await expectCharts(page, 2);
  await screenshot('dashboard-year');
  await page.getByLabel('Show a month or a year').selectOption('month');
  await page.waitForURL(/month=2026-10/);

  // A sub-category, a rule filing into it, and a transaction that the rule files when added.
  await nav('Categories');
  await page.getByLabel('Name').fill('Coffee');
  await page.getByLabel('Inside').selectOption({ label: 'Dining' });
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expectText(page.locator('.list-group-item', { hasText: 'Coffee' }), /Dining › Coffee/);
  await nav('Rules');
  // The page loads its code on first visit: wait for it, not the Categories form still showing.
  await expectText(page.locator('main h1'), /^Rules$/);
  await page.getByLabel('Name').fill('Espresso');
  await page.getByLabel('Text').fill('espresso');
  await page.getByLabel('File under').selectOption({ label: 'Dining › Coffee' });
  await page.getByRole('button', { name: 'Add rule' }).click();
  await expectText(page.locator('.list-group-item'), /Espresso.*“espresso”.*Coffee/);
  await page.getByRole('button', { name: 'Apply to uncategorized transactions' }).click();
  await expectText(page.locator('.toast-area'), /\d+ uncategorized transaction\(s\) filed/);
  await nav('Transactions');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const form = page.getByRole('form', { name: 'New transaction' });
  await form.getByLabel('Date').fill('2026-10-25');
  await form.getByLabel('Amount').fill('4.50');
  await form.getByLabel('Description').fill('Espresso bar');
  await form.getByRole('button', { name: 'Add transaction' }).click();
  await expectText(page.locator('.toast-area'), /Transaction added/);
  const row = page.locator('tr', { hasText: 'Espresso bar' });
  await expectText(row, /-€4\.50/);
  await expectText(row.getByLabel('Category of Espresso bar').locator('option:checked'), /Dining › Coffee/);
  await row.getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('form', { name: 'Edit transaction' }).getByLabel('Amount').fill('5');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expectText(row, /-€5\.00/);
  await row.getByRole('button', { name: 'Delete' }).click();
  await row.waitFor({ state: 'detached' });

  // Several writes later, each celebration was shown once.
  const celebrated = await page.evaluate(() => window.celebrated);
  assert(celebrated.filter((m) => /First budget/.test(m)).length === 1, `First budget celebrated once: ${JSON.stringify(celebrated)}`);

  // Sign out and back in.
  const toggler = page.locator('.navbar-toggler');
  if (await toggler.isVisible()) await toggler.click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login/);
  await page.goto(`${base}/transactions`);
  await page.waitForURL(/\/login\?next=%2Ftransactions/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/transactions$/);
  await expectText(page.locator('nav'), /Asha/);

  // A goal: adding half of it celebrates the 50% milestone and the card shows the progress.
  await nav('Goals');
  await expectText(page.locator('main'), /No goals yet/);
  await page.getByLabel('Goal', { exact: true }).fill('Holiday');
  await page.getByLabel(/^Target/).fill('500');
  await page.getByRole('button', { name: 'Add goal' }).click();
  await expectText(page.locator('[data-goal=Holiday]'), /€0\.00 of €500\.00/);
  await page.getByLabel('Amount to add to Holiday').fill('250');
  await page.getByRole('form', { name: 'Add to Holiday' }).getByRole('button', { name: 'Add' }).click();
  await expectText(page.locator('.celebration-message'), /Holiday: 50% saved!/);
  await expectText(page.locator('[data-goal=Holiday]'), /€250\.00 of €500\.00 · 50%/);
  await expectText(page.locator('[data-goal=Holiday] [data-status]'), /No target date/);
  await screenshot('goals');

  // Debts: two cards, a plan in your own order with extra payments compared with the others,
  // one schedule unfolded.
  await nav('Debts');
  await expectText(page.locator('main'), /No debts recorded/);
  for (const [name, owed, apr, minimum] of [['Visa', '1200', '19.99', '50'], ['Store card', '300', '24.99', '25']]) {
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel(/^Owed/).fill(owed);
    await page.getByLabel('APR %').fill(apr);
    await page.getByLabel('Minimum or floor').fill(minimum);
    await page.getByRole('button', { name: 'Add debt' }).click();
    await expectText(page.locator(`[data-debt="${name}"]`), new RegExp(name));
  }
  // Your own order: Visa before the store card (which both avalanche and snowball pay first).
  await page.getByLabel(/^Monthly budget/).fill('200');
  await page.getByLabel('Strategy').selectOption('custom');
  const order = page.locator('[aria-label="Order to pay off"]');
  await expectText(order, /^Visa↑↓Store card↑↓$/);
  await page.getByRole('button', { name: 'Move Store card up' }).click();
  await expectText(order, /^Store card↑↓Visa↑↓$/);
  await page.getByRole('button', { name: 'Move Store card down' }).click();
  await expectText(order, /^Visa↑↓Store card↑↓$/);
  await page.getByRole('button', { name: 'Plan', exact: true }).click();
  await expectText(page.locator('[data-summary=debt-free]'), /^Debt-free: \w+ \d{4} · interest €\d+\.\d\d$/);
  assert(await page.locator('tbody tr[data-strategy]').first().getAttribute('data-strategy') === 'custom', 'your order is the plan shown');
  await expectText(page.locator('[data-strategy=minimums_only]'), /Minimum payments only/);
  assert(await page.locator('tbody tr[data-strategy]').count() === 4, 'four strategies compared');
  const interestOf = async () => Number((await page.locator('[data-summary=debt-free]').textContent()).match(/interest €([\d.,]+)/)[1].replace(',', ''));
  const withoutExtras = await interestOf();
  // One-off extra payments in the first two months (a third row added and removed) cost less interest.
  const monthAhead = (n) => { const d = new Date(); d.setUTCDate(1); d.setUTCMonth(d.getUTCMonth() + n); return d.toISOString().slice(0, 7); };
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Add extra payment' }).click();
  await page.getByLabel('Extra payment 1 in').fill(monthAhead(1));
  await page.getByLabel('Extra amount 1').fill('100');
  await page.getByLabel('Extra payment 2 in').fill(monthAhead(5));
  await page.getByLabel('Extra amount 2').fill('999');
  await page.getByLabel('Extra payment 3 in').fill(monthAhead(2));
  await page.getByLabel('Extra amount 3').fill('50');
  await page.getByRole('button', { name: 'Remove extra payment 2' }).click();
  assert(await page.getByLabel('Extra payment 2 in').inputValue() === monthAhead(2), 'the rows renumber after a removal');
  await page.getByRole('button', { name: 'Plan', exact: true }).click();
  await page.waitForFunction((before) => {
    const m = document.querySelector('[data-summary=debt-free]')?.textContent?.match(/interest €([\d.,]+)/);
    return m && Number(m[1].replace(',', '')) < before;
  }, withoutExtras);
  await page.locator('main canvas').waitFor();
  await page.locator('details[data-schedule="Store card"] summary').click();
  await page.locator('details[data-schedule="Store card"] table').waitFor();
  await screenshot('debts');

  // Badges: the import and the budget have earned theirs; the others say how to earn them.
  await nav('Badges');
  await expectText(page.locator('[aria-label="Earned badges"]'), /First import[\s\S]*First budget/);
  await expectText(page.locator('[aria-label="Earned badges"]'), /Goal setter[\s\S]*Halfway there/);
  await expectText(page.locator('[aria-label="Badges to earn"]'), /Goal reached/);
  await screenshot('badges');

  // Insights: what the numbers say, the unusual ones with "this is fine", the bills ahead.
  await nav('Insights');
  await expectText(page.locator('[aria-label="Insights"]'), /What your numbers say/);
  await expectText(page.locator('[aria-label="Anomalies"]'), /Unusual this quarter/);
  await expectText(page.locator('[aria-label="Upcoming bills"]'), /Bills in the next 30 days/);
  await screenshot('insights');
  await nav('Dashboard');
  await expectText(page.locator('[aria-label="Top insights"]'), /Top insights[\s\S]*All insights/);

  // Undo the import from the history: its transactions are gone.
  await nav('Import');
  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  await expectText(page.locator('.toast-area'), /Import undone/);
  await expectText(page.locator('main table .badge'), /undone/);
  await screenshot('import-undone');
  await page.goto(`${base}/transactions`);
  await expectText(page.locator('main'), /No transactions match/);

  for (const path of ['/categories', '/rules']) {
    await page.goto(`${base}${path}`);
    await page.locator('main .list-group').waitFor();
    await screenshot(path.slice(1));
  }

  // A year of a typical bank file. The dashboard opens on its last month and its figures are
  // the file's own totals, for the month and for the year.
  const totals = fileTotals(yearFixture);
  await nav('Import');
  // The preview lists the cells whose text changed on the way in: a control character dropped, a
  // payee cut to a merchant name's 200 characters. A preview given up on ('Choose another file')
  // leaves nothing in the history.
  await page.getByLabel('Bank file', { exact: true }).setInputFiles({
    name: 'cleaned.csv', mimeType: 'text/csv',
    buffer: Buffer.from(`Date,Description,Payee,Amount\n2025-06-01,Caf\u0000e,,-4.50\n2025-06-02,Shop,${'x'.repeat(250)},-1.00\n`),
  });
  await page.getByRole('button', { name: 'Preview' }).click();
  await expectText(page.locator('[data-cleaned]'),
    /^Text changed in 2 cellsLine 2, description: 1 control character removedLine 3, payee: cut to 200 characters \(50 left out\)$/);
  await page.getByRole('button', { name: 'Choose another file' }).click();
  await page.getByLabel('Bank file', { exact: true }).setInputFiles(yearFixture);
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.getByRole('button', { name: 'Choose another file' }).click();
  await page.getByLabel('Bank file', { exact: true }).setInputFiles(yearFixture);
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.getByRole('button', { name: 'Import 54 transactions' }).click();
  await expectText(page.locator('.import-counts'), /Imported\s*54/);
  // The same file again: nothing new, nothing committed, and the preview can be discarded.
  await page.getByRole('button', { name: 'Import another file' }).click();
  await page.getByLabel('Bank file', { exact: true }).setInputFiles(yearFixture);
  await page.getByRole('button', { name: 'Preview' }).click();
  await expectText(page.locator('[data-nothing-new]'), /Nothing new to import: the account already has all 54 rows/);
  assert(await page.getByRole('button', { name: /^Import \d+ transactions?$/ }).count() === 0, 'no "Import 0 transactions"');
  await screenshot('import-nothing-new');
  await page.getByRole('button', { name: 'Discard this file' }).click();
  await expectText(page.locator('.toast-area'), /file was discarded/);
  await expectText(page.locator('.import-history tbody'), /year-2025\.csv/);
  assert(await page.locator('.import-history tbody tr').count() === 2, 'the history holds the two imports, no discarded preview');
  const undoBox = await boxOf(page.locator('.import-history').getByRole('button', { name: 'Undo' }));
  assert(undoBox && undoBox.x + undoBox.width <= viewport.width, `Undo is in reach: ${JSON.stringify(undoBox)}`);
  await screenshot('import-history');

  await nav('Dashboard');
  await expectText(page.locator('[data-fallback]'), /showing December 2025, the latest month with transactions/);
  const december = totals.get('2025-12');
  await expectText(page.locator('[data-summary=income] .summary-value'), exactly(euros(december.income)));
  await expectText(page.locator('[data-summary=spending] .summary-value'), exactly(euros(december.spending)));
  await page.getByLabel('Show a month or a year').selectOption('year');
  await page.waitForURL(/year=2025/);
  const year = totals.get('2025');
  await expectText(page.locator('[data-summary=income] .summary-value'), exactly(euros(year.income)));
  await expectText(page.locator('[data-summary=spending] .summary-value'), exactly(euros(year.spending)));
  const shares = await page.locator('.chart-legend li').allTextContents();
  assert(shares.length > 0 && shares.every((s) => !s.includes('-')), `no negative share: ${shares}`);
  await expectText(page.locator('main'), /Tesco Stores/); // top merchants from the descriptions
  await screenshot('dashboard-year-file');

  // Reports of that year: one of each kind, made, listed, downloaded under its own name; then
  // one deleted from the history.
  await nav('Reports');
  await expectText(page.locator('main'), /No reports yet/);
  const made = [['pdf', 'year', 'dhana-2025.pdf', '%PDF'], ['xlsx', 'year', 'dhana-2025.xlsx', 'PK'], ['csv', 'month', 'dhana-2025-12.csv', 'Date,Amount']];
  for (const [format, period, name, start] of made) {
    await page.getByLabel('Format').selectOption(format);
    await page.getByLabel('Period', { exact: true }).selectOption(period);
    if (period === 'year') await page.getByLabel('Year', { exact: true }).fill('2025');
    else await page.getByLabel('Month', { exact: true }).fill('2025-12');
    await page.getByRole('button', { name: 'Make report' }).click();
    const row = page.locator('[data-report]', { hasText: name }).first();
    await expectText(row.locator('[data-status]'), /Ready/, 30_000);
    const link = row.getByRole('link', { name: 'Download' });
    const box = await boxOf(link);
    assert(box && box.x + box.width <= viewport.width, `Download is in reach: ${JSON.stringify(box)}`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert(download.suggestedFilename() === name, `downloaded as ${download.suggestedFilename()}`);
    const bytes = readFileSync(await download.path());
    assert(bytes.subarray(0, start.length).toString('latin1') === start, `${name} starts with ${start}`);
  }
  assert(await page.locator('[data-report]').count() === 3, 'three reports in the history');
  await screenshot('reports');
  await page.locator('[data-report]', { hasText: 'dhana-2025-12.csv' }).getByRole('button', { name: 'Delete' }).click();
  await expectText(page.locator('.toast-area'), /Report deleted/);
  await page.waitForFunction(() => document.querySelectorAll('[data-report]').length === 2);

  // A report of one account: a new, empty one has none of the year's transactions, where the
  // report of all accounts (every box ticked, the default) had them.
  const allOfTheYear = Number((await page.locator('[data-report]', { hasText: 'dhana-2025.xlsx' }).textContent()).match(/(\d+) transactions/)[1]);
  assert(allOfTheYear > 0, 'the year has transactions');
  await nav('Accounts');
  await page.getByLabel('Name', { exact: true }).fill('Cash box');
  await page.getByRole('button', { name: 'Add account' }).click();
  await expectText(page.locator('main'), /Cash box/);
  await nav('Reports');
  const picker = page.getByRole('group', { name: 'Accounts' });
  assert(await picker.getByLabel('Everyday (EUR)').isChecked(), 'all accounts are ticked at first');
  await picker.getByLabel('Everyday (EUR)').uncheck();
  assert(await picker.getByLabel('Cash box (EUR)').isChecked(), 'the new account is ticked');
  await page.getByLabel('Format').selectOption('xlsx');
  await page.getByLabel('Period', { exact: true }).selectOption('year');
  await page.getByLabel('Year', { exact: true }).fill('2025');
  await page.getByRole('button', { name: 'Make report' }).click();
  const oneAccount = page.locator('[data-report]', { hasText: '1 account(s)' }).first();
  await expectText(oneAccount.locator('[data-status]'), /Ready/, 30_000);
  await expectText(oneAccount, /dhana-2025\.xlsx.*· 0 transactions · 1 account\(s\)/);
  await screenshot('reports-one-account');
  await oneAccount.getByRole('button', { name: 'Delete' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-report]').length === 2);
  await nav('Accounts');
  await page.locator('.list-group-item', { hasText: 'Cash box' }).getByRole('button', { name: 'Delete' }).click();
  await page.locator('.list-group-item', { hasText: 'Cash box' }).waitFor({ state: 'detached' });

  // The rule dialog opens filled in from a transaction, counting what it would match.
  await page.goto(`${base}/transactions?month=2025-03`);
  const tesco = page.locator('tr', { hasText: 'TESCO STORES 3297 LONDON' }).first();
  await expectText(tesco, /Tesco Stores/);
  // Why it is in Groceries: one tap away.
  await tesco.locator('.why-filed summary').click();
  await expectText(tesco.locator('.why-filed'), /From the bank file's own category column/);
  await tesco.getByRole('button', { name: 'Rule' }).click();
  const dialog = page.getByRole('dialog', { name: 'New rule' });
  assert(await dialog.getByLabel('Text').inputValue() === 'tesco stores', 'the pattern is the merchant key');
  await expectText(dialog.getByLabel('File under').locator('option:checked'), /Groceries/);
  await expectText(dialog.locator('[data-rule-count]'), /Matches 24 of your transactions/);
  await dialog.getByLabel('Text').fill('tesco stores 3297 london zz');
  await expectText(dialog.locator('[data-rule-count]'), /Matches none of your transactions yet/);
  await dialog.getByLabel('Text').fill('tesco');
  await expectText(dialog.locator('[data-rule-count]'), /Matches 24 of your transactions/);
  await screenshot('rule-dialog');
  await dialog.getByRole('button', { name: 'Add rule' }).click();
  await expectText(page.locator('.toast-area'), /Rule added/);
  await dialog.waitFor({ state: 'detached' });

  // Settings: a new password works, then the account is deleted and signing in fails.
  await page.goto(`${base}/settings`);
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password').fill(`${PASSWORD} 2`);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expectText(page.locator('.toast-area'), /Password changed/);
  await page.getByRole('form', { name: 'Delete account' }).getByLabel('Password').fill(`${PASSWORD} 2`);
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await page.waitForURL(/\/login/);
  // The URL changes before the sign-in page replaces the settings page (whose labels also say
  // "Email"): wait for the form.
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(`${PASSWORD} 2`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectText(page.locator('.alert-danger'), /./);
  await screenshot('signed-out-deleted');
  // Swagger UI works under the same policy.
  await page.goto(`${base}/docs/`);
  await expectText(page.locator('.swagger-ui .info .title'), /Dhana API/);
  await page.locator('.opblock-tag', { hasText: 'auth' }).first().waitFor();
  await screenshot('api-docs');
  assert(problems.length === 0, problems.join('\n'));
}

/**
 * Eight complete months and the month so far, dated from today so that the forecasts (which
 * look at the months before today's) always have the same history: a salary, the rent, a
 * streaming subscription whose price rose three months ago, groceries at four shops and two
 * dinners a month. Each row carries the bank's category.
 */
function historyCsv(now = new Date()) {
  const rows = ['Date,Amount,Description,Category'];
  const today = now.toISOString().slice(0, 10);
  const cents = (c) => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;
  for (let k = 8; k >= 0; k--) {
    const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - k, 1));
    const on = (day) => new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), day)).toISOString().slice(0, 10);
    const add = (day, amount, what, category) => {
      if (on(day) <= today) rows.push(`${on(day)},${cents(amount)},${what},${category}`);
    };
    add(1, 320000, 'ACME PAYROLL', 'Salary');
    add(3, -120000, 'OAKWOOD PROPERTIES RENT', 'Rent & Mortgage');
    add(12, k > 3 ? -1549 : -1799, 'NETFLIX.COM', 'Subscriptions');
    // Shops, days and amounts vary from month to month, so that none is a recurring bill.
    const shops = ['TESCO STORES', 'ALDI MARKT', 'LIDL', 'SAINSBURYS', 'CO-OP'];
    for (let i = 0; i < 4; i++) add(2 + 7 * i + ((k * 3 + i) % 5), -(6200 + ((k * 37 + i * 53) % 29) * 100), shops[(k + i * 2) % 5], 'Groceries');
    const restaurants = ['LUIGIS TRATTORIA', 'SAKURA SUSHI', 'DHABA', 'EL TORO'];
    add(6 + (k % 4) * 2, -(3250 + (k % 3) * 700), restaurants[k % 4], 'Dining');
    add(20 + (k % 3) * 3, -(4780 - (k % 4) * 500), restaurants[(k + 2) % 4], 'Dining');
  }
  return `${rows.join('\n')}\n`;
}

/** A user with that history, set up through the API as a script would. */
async function userWithHistory(base, email) {
  const post = async (path, body, token) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    assert(res.ok, `${path}: ${res.status} ${await res.clone().text()}`);
    return res.json();
  };
  await post('/api/v1/auth/register', { email, password: PASSWORD, display_name: 'Ravi' });
  const { access_token: token } = await post('/api/v1/auth/token', { email, password: PASSWORD });
  const account = await post('/api/v1/accounts', { name: 'Everyday', kind: 'checking', currency: 'USD', opening_balance: 150000 }, token);
  const form = new FormData();
  form.append('account_id', String(account.id));
  form.append('file', new Blob([historyCsv()], { type: 'text/csv' }), 'history.csv');
  const res = await fetch(`${base}/api/v1/imports?commit=true`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
  assert(res.status === 201, `import: ${res.status} ${await res.text()}`);
  // A rent budget below the rent, from this month: the month's forecast (the rent, paid or due
  // on the 3rd) overruns it whatever the day.
  const categories = await (await fetch(`${base}/api/v1/categories`, { headers: { Authorization: `Bearer ${token}` } })).json();
  const rent = categories.items.find((c) => c.name === 'Rent & Mortgage');
  await post('/api/v1/budgets', { category_id: rent.id, amount: 100000, starts: new Date().toISOString().slice(0, 7) }, token);
}

/** The page never scrolls sideways: everything fits the viewport's width. */
async function fitsWidth(page, what) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert(scroll <= width, `${what} fits the width: ${scroll} > ${width}`);
}

/**
 * The Insights page on a ledger with history: forecast bars with their bands and basis, the
 * balance line with its low point, a subscription's price change (renamed and confirmed), a
 * budget suggestion applied and then found on the Budgets page; the dashboard's month against
 * its forecast.
 */
async function insightsScenario(browserContext, base, viewport) {
  const page = browserContext.pages()[0] ?? (await browserContext.newPage());
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && !/status of 401/.test(m.text()) /* before signing in */ && problems.push(`console: ${m.text()}`));
  const email = `ravi-${viewport.name}@example.com`;
  await userWithHistory(base, email);
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectText(page.locator('nav'), /Ravi/);
  const screenshot = async (name) => {
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(shots, `${viewport.name}-history-${name}.png`), fullPage: true });
  };
  const nav = async (label) => {
    const toggler = page.locator('.navbar-toggler');
    if (await toggler.isVisible()) await toggler.click();
    await page.locator('nav a', { hasText: label }).first().click();
  };

  await nav('Insights');
  // The rent budget's month is forecast over its limit: said with its numbers and linked to the budget.
  const overspend = page.locator('[data-insight=budget_overspend]');
  await expectText(overspend, /^medium\s*Rent & Mortgage: on course for 1200\.00 in \w+ against a budget of 1000\.00, 200\.00 \(20%\) over; 80% likely between 1200\.00 and 1200\.00, (0|1200)\.00 spent so far/);
  assert(await overspend.getByRole('link', { name: 'Budget' }).getAttribute('href') === `/budgets?month=${new Date().toISOString().slice(0, 7)}`, 'linked to the budget');
  // Forecast bars: the total and each category with a band, each said in words, its basis one tap away.
  const forecast = page.locator('[aria-label="Forecast"]');
  await expectText(forecast.locator('h2'), /^Spending forecast for \w+ \d{4}$/);
  await expectText(forecast.locator('[data-forecast=Total]'), /\$[\d,]+\.\d\d \(80% likely between \$[\d,]+\.\d\d and \$[\d,]+\.\d\d\)/);
  await expectText(forecast.locator('[data-forecast=Groceries]'), /80% likely between/);
  await forecast.locator('[data-forecast=Groceries] details summary').click();
  await expectText(forecast.locator('[data-forecast=Groceries] details'), /Forecast by .*80% interval/);
  // The balance line with its lowest point stated.
  const everyday = page.locator('[data-balance=Everyday]');
  await expectText(everyday.locator('[data-low]'), /^Lowest point: (-?\$[\d,]+\.\d\d on \w{3} \d+, \d{4}|today's .*)$/);
  await expectCanvasesDrawn(page, 2);
  // The subscription's price change in words; renamed and confirmed.
  const netflix = page.locator('[data-series]', { hasText: /NETFLIX/i }).first();
  await expectText(netflix.locator('[data-change=price_change]'), /went from 15\.49 to 17\.99 in \w+ \d{4}/);
  await netflix.getByRole('button', { name: /^Rename/ }).click();
  await netflix.getByLabel(/^New name for/).fill('Netflix');
  await netflix.getByRole('button', { name: 'Save' }).click();
  await expectText(page.locator('.toast-area'), /Renamed to Netflix/);
  const renamed = page.locator('[data-series=Netflix]');
  await renamed.getByRole('button', { name: 'Confirm Netflix' }).click();
  await expectText(renamed, /confirmed/);
  assert(await renamed.getByRole('button', { name: 'Confirm Netflix' }).count() === 0, 'a confirmed series has no Confirm');
  // A budget suggestion with its reason, applied.
  const suggestions = page.locator('[aria-label="Budget suggestions"]');
  const heading = await expectText(suggestions.locator('h2'), /^Budget suggestions for \w+ \d{4}$/);
  const groceries = suggestions.locator('[data-recommendation=Groceries]');
  const suggested = (await expectText(groceries, /\$[\d,]+\.\d\d a month/)).match(/(\$[\d,]+\.\d\d) a month/)[1];
  await expectText(groceries, /percentile|median/);
  await groceries.getByRole('button', { name: 'Apply Groceries budget' }).click();
  await expectText(page.locator('.toast-area'), new RegExp(`Budget for Groceries set to \\${suggested}`));
  await expectText(groceries.locator('[data-applied]'), /Applied/);
  await fitsWidth(page, 'the Insights page');
  await screenshot('insights');

  // The budget exists: the Budgets page of that month shows it with the suggested limit.
  const month = heading.replace('Budget suggestions for ', '');
  const [monthName, year] = month.split(' ');
  const number = new Date(`${monthName} 1, ${year} UTC`).getUTCMonth() + 1;
  await page.goto(`${base}/budgets?month=${year}-${String(number).padStart(2, '0')}`);
  await expectText(page.locator('.budget', { hasText: 'Groceries' }), new RegExp(`of \\${suggested}`));

  // The dashboard opens on this month: spent so far against the month's forecast.
  await nav('Dashboard');
  const total = page.locator('[data-forecast-vs-actual=Total]');
  await expectText(total, /\$[\d,]+\.\d\d so far of \$[\d,]+\.\d\d \(80% likely between/);
  await expectText(page.locator('[data-forecast-vs-actual=Groceries]'), /so far of/);
  await fitsWidth(page, 'the dashboard');
  await screenshot('dashboard');
  assert(problems.length === 0, problems.join('\n'));
}

/** At least `count` canvases in main, each with pixels drawn. */
async function expectCanvasesDrawn(page, count) {
  await page.waitForFunction((n) => document.querySelectorAll('main canvas').length >= n, count);
  await page.waitForTimeout(600);
  const drawn = await page.$$eval('main canvas', (canvases) => canvases.map((canvas) => {
    const { width, height } = canvas;
    const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
    return { width, painted };
  }));
  assert(drawn.length >= count, `${count} charts, found ${drawn.length}`);
  for (const c of drawn) assert(c.width > 0 && c.painted > 500, `a chart is drawn: ${JSON.stringify(c)}`);
}

/** Every chart canvas has pixels drawn, and the bar and line charts carry a legend. */
async function expectCharts(page, count) {
  await expectCanvasesDrawn(page, count);
  assert(await page.locator('.chart-legend li').count() > 0, 'the doughnut has its legend');
}

async function main() {
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  const server = await startServer();
  let failed = false;
  try {
    for (const viewport of VIEWPORTS) {
      const profile = mkdtempSync(join(tmpdir(), 'dhana-chromium-'));
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
          '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        viewport: { width: viewport.width, height: viewport.height },
        locale: 'en-US',
        acceptDownloads: true,
      });
      try {
        await scenario(context, server.base, viewport);
        await insightsScenario(context, server.base, viewport);
        console.log(`e2e ${viewport.name} (${viewport.width}px): passed`);
      } catch (error) {
        failed = true;
        console.error(`e2e ${viewport.name} (${viewport.width}px): FAILED\n${error.stack}`);
        await context.pages()[0]?.screenshot({ path: join(shots, `${viewport.name}-failure.png`), fullPage: true }).catch(() => {});
      } finally {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      }
    }
  } finally {
    if (failed) console.error(`server log:\n${server.log().slice(-3000)}`);
    server.stop();
  }
  console.log(`screenshots: ${resolve(shots)}`);
  process.exit(failed ? 1 : 0);
}

await main();
