// End-to-end: the real backend on SQLite and the built app in Debian's headless Chromium.
// One scenario (register → settings → account → import → dashboard → recategorize → budget →
// export → sign out and in) at a desktop width and at a 390 px phone width, with screenshots of
// every page in e2e/screenshots/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const here = import.meta.dirname;
const shots = join(here, 'screenshots');
const fixture = join(here, 'fixtures', 'bank-statement.csv');
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

async function scenario(browserContext, base, viewport) {
  const page = browserContext.pages()[0] ?? (await browserContext.newPage());
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && !/status of (401|422)/.test(m.text()) /* signed out; the deliberate bad password */ && problems.push(`console: ${m.text()}`));
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

  // Register: the app starts at sign-in, registration signs in and opens the accounts page.
  await page.goto(base);
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
  await screenshot('settings');

  // An account.
  await nav('Accounts');
  await expectText(page.locator('main'), /No accounts yet/);
  await page.getByLabel('Name', { exact: true }).fill('Everyday');
  await page.getByLabel('Opening balance').fill('1.000,00');
  await page.getByRole('button', { name: 'Add account' }).click();
  await expectText(page.locator('.list-group-item'), /Everyday.*€1,000\.00/);
  await screenshot('accounts');

  // Import the bank CSV through the wizard.
  await nav('Import');
  await page.getByLabel('Bank file', { exact: true }).setInputFiles(fixture);
  await page.getByRole('button', { name: 'Preview' }).click();
  await expectText(page.locator('main table'), /SALARY ACME GMBH/);
  const previewText = await page.locator('main table').first().textContent();
  assert(previewText.includes('€2,500.00') && previewText.includes('-€54.20'), `preview amounts: ${previewText}`);
  await screenshot('import-preview');
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
  await screenshot('import-result');

  // The dashboard for October 2026: totals of the fixture and drawn charts.
  await nav('Dashboard');
  await page.getByLabel('Month', { exact: true }).fill('2026-10');
  await page.getByLabel('Month', { exact: true }).dispatchEvent('change');
  await page.waitForURL(/month=2026-10/);
  await expectText(page.locator('[data-summary=income] .summary-value'), /^€2,500\.00$/);
  await expectText(page.locator('[data-summary=spending] .summary-value'), /^€1,113\.99$/);
  await expectText(page.locator('[data-summary=net] .summary-value'), /^\+€1,386\.01$/);
  await expectText(page.locator('[data-summary=savings-rate] .summary-value'), /55\.4%/);
  await expectCharts(page, 3);
  await screenshot('dashboard');

  // Recategorize: every REWE line in bulk to Groceries, the café inline to Dining.
  await nav('Transactions');
  const filters = page.locator('details', { hasText: 'Filters' });
  if (!(await filters.evaluate((d) => d.open))) await filters.locator('summary').click();
  await page.getByLabel('Search').fill('REWE');
  await expectText(page.locator('[data-totals]'), /^3 transactions/);
  await page.getByLabel('Select all shown').check();
  await page.getByLabel('Category for the selected').selectOption({ label: 'Groceries' });
  await page.getByRole('button', { name: 'Set category' }).click();
  await expectText(page.locator('.toast-area'), /3 transactions re-filed/);
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByLabel('Month').fill('2026-10');
  await page.getByLabel('Month').dispatchEvent('change');
  await expectText(page.locator('[data-totals]'), /^6 transactions.*In €2,500\.00.*Out €1,113\.99/);
  await page.getByLabel('Category of CAFE CENTRAL').selectOption({ label: 'Dining' });
  await expectText(page.locator('.toast-area'), /filed under Dining/);
  await page.reload();
  assert(await page.getByLabel('Category of CAFE CENTRAL').inputValue() !== '', 'the category change was kept');
  await screenshot('transactions');

  // Export the filtered set as CSV.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
  assert(csv.length === 7, `export has a header and the 6 October rows, got ${csv.length} lines`);
  assert(csv.some((line) => line.includes('CAFE CENTRAL') && line.includes('Dining')), 'export carries the new category');

  // A budget for groceries in October: 137.20 of 200.00 spent.
  await nav('Budgets');
  await page.getByLabel('Month', { exact: true }).fill('2026-10');
  await page.getByLabel('Month', { exact: true }).dispatchEvent('change');
  await expectText(page.locator('main h2').first(), /October 2026/);
  await page.waitForSelector('main [aria-busy]', { state: 'detached' });
  await page.getByLabel('Category').selectOption({ label: 'Groceries' });
  await page.getByLabel(/Monthly limit/).fill('200');
  await page.getByLabel('From month').fill('2026-10');
  await page.getByRole('button', { name: 'Set budget' }).click();
  const bar = page.getByRole('progressbar', { name: 'Groceries budget' });
  await bar.waitFor();
  assert((await bar.getAttribute('aria-valuenow')) === '69', 'the groceries bar is at 69%');
  await expectText(page.locator('.budget[data-status=ok]'), /€137\.20 of €200\.00/);
  await screenshot('budgets');

  // The dashboard now shows the categories and the budget bar.
  await nav('Dashboard');
  await expectText(page.locator('.chart-legend'), /Groceries/);
  await expectText(page.locator('.budget'), /Groceries/);
  await expectCharts(page, 3);
  await screenshot('dashboard-categorized');

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

  // Undo the import from the history: its transactions are gone.
  page.once('dialog', (dialog) => dialog.accept());
  await nav('Import');
  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  await expectText(page.locator('.toast-area'), /Import undone/);
  await expectText(page.locator('main table .badge'), /undone/);
  await screenshot('import-undone');
  await page.goto(`${base}/transactions`);
  await expectText(page.locator('main'), /No transactions match/);

  for (const path of ['/categories', '/rules']) {
    await page.goto(`${base}${path}`);
    await page.locator('main h1').waitFor();
    await screenshot(path.slice(1));
  }
  assert(problems.length === 0, problems.join('\n'));
}

/** Every chart canvas has pixels drawn, and the bar and line charts carry a legend. */
async function expectCharts(page, count) {
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
