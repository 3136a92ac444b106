/**
 * The Console in a real browser (Debian's Chromium via playwright-core) against a real
 * `ferry serve` server, a PIM sandbox and the demo ERP: sign in, dashboard, a delta run watched
 * to the end, a refused record read, downloaded as CSV and retried after fixing the ERP, a
 * schedule with its next fire times, notifications, users, sign out, a viewer who cannot start a
 * run, and a long run cancelled then resumed. Every page is scanned with axe-core (no serious or
 * critical violation) and photographed into docs/console/ for the user guide.
 */
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../sync/support/e2e.js';
import { chromiumAvailable, launchChromium, screenshot, seriousAxeViolations, waitForNumber } from './support/browser.js';
import { ensureWebBuilt, PASSWORDS, startTestConsole, type TestConsole } from './support/console.js';

const run = chromiumAvailable();
const tempDir = tempDirs('ferry-console-e2e-');

async function expectAccessible(page: Page, what: string): Promise<void> {
  const violations = await seriousAxeViolations(page);
  expect(violations, `${what}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

async function signIn(page: Page, url: string, name: keyof typeof PASSWORDS): Promise<void> {
  await page.goto(`${url}/sign-in`);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel(/^Password/).fill(PASSWORDS[name]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

/** Changes one item of the demo ERP as a person in the ERP would (and stamps it changed now). */
function editItem(erpPath: string, sku: string, weight: string): void {
  const db = new Database(erpPath);
  try {
    const stamp = new Date(Date.now() + 1000).toISOString().slice(0, 19).replace('T', ' ');
    const r = db.prepare('UPDATE items SET weight = ?, updated_at = ? WHERE sku = ?').run(weight, stamp, sku);
    expect(r.changes).toBe(1);
  } finally {
    db.close();
  }
}

function someSku(erpPath: string): string {
  const db = new Database(erpPath, { readonly: true });
  try {
    return (db.prepare("SELECT sku FROM items WHERE archived = 0 AND weight IS NOT NULL AND weight <> '' ORDER BY sku LIMIT 1").get() as { sku: string }).sku;
  } finally {
    db.close();
  }
}

/** Starts a run from the Run now page and returns the run id the page then shows. */
async function startRunFromUi(page: Page, url: string, label: RegExp): Promise<number> {
  await page.goto(`${url}/run-now`);
  await page.getByLabel(label).check();
  await page.getByRole('button', { name: 'Start the run' }).click();
  await page.waitForURL(/\/runs\/\d+$/);
  return Number(new URL(page.url()).pathname.split('/').pop());
}

/** The run page switches from the live progress to the report when the run ends; `status` is the badge's words then. */
async function waitForFinished(page: Page, status: RegExp, timeout = 120_000): Promise<void> {
  await page.getByRole('heading', { name: 'What happened, by kind of record' }).waitFor({ timeout });
  await page.getByRole('main').getByText(status).first().waitFor({ timeout: 5000 });
}

describe.skipIf(!run)('Ferry Console in Chromium', () => {
  let browser: Browser;
  let consoleApp: TestConsole;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ensureWebBuilt();
    // Latency per line keeps the first run going long enough to watch its progress.
    consoleApp = await startTestConsole(tempDir(), { items: 120, sandbox: { latency: '100ms+40ms/line' } });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true, timezoneId: 'Europe/Paris', locale: 'en-GB', bypassCSP: true });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await consoleApp?.close();
  });

  it('signs in (a wrong password is refused in words) and shows the dashboard', async () => {
    const { url } = consoleApp;
    await page.goto(url);
    await page.waitForURL(/\/sign-in/);
    await page.getByRole('heading', { name: 'Ferry' }).waitFor();
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');
    await page.getByLabel('User name').fill('julia');
    await page.getByLabel(/^Password/).fill('not-her-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Could not sign in').waitFor();
    await signIn(page, url, 'julia');
    await page.getByText('No run yet.').waitFor();
    await page.getByText('PIM').first().waitFor();
    await expectAccessible(page, 'dashboard (empty)');
  });

  it('starts a delta run and watches its live progress to the end', async () => {
    const id = await startRunFromUi(page, consoleApp.url, /Only what changed/);
    await page.getByRole('heading', { name: 'Live progress' }).waitFor({ timeout: 30_000 });
    await waitForNumber(page, 'progress-records-done', 0, 60_000);
    await screenshot(page, 'live-progress');
    await expectAccessible(page, 'live progress');
    await waitForFinished(page, /Succeeded/);
    const detail = (await (await page.request.get(`${consoleApp.url}/api/v1/runs/${id}`)).json()) as { run: { status: string; counts: { created: number; rejected: number } } };
    expect(detail.run.status).toBe('succeeded');
    expect(detail.run.counts.created).toBeGreaterThan(100);
    await page.getByTestId('records-table').waitFor();
    await expectAccessible(page, 'run detail');
  });

  it('the dashboard shows the last run, both systems answering and the chart', async () => {
    await page.goto(consoleApp.url);
    await page.getByRole('link', { name: /Run #\d+/ }).first().waitFor();
    await page.getByText('PIM answers').waitFor({ timeout: 30_000 });
    await page.getByText('ERP answers').waitFor({ timeout: 30_000 });
    await page.getByTestId('runs-chart').first().waitFor();
    await expectAccessible(page, 'dashboard');
    await screenshot(page, 'dashboard');
  });

  let rejectedRun = 0;
  let victim = '';

  it('a record the ERP got wrong is refused with its fix; the refusals download as CSV', async () => {
    victim = someSku(consoleApp.erpPath);
    editItem(consoleApp.erpPath, victim, 'heavy');
    rejectedRun = await startRunFromUi(page, consoleApp.url, /Only what changed/);
    await waitForFinished(page, /some refused/);
    const rejects = page.getByRole('region', { name: 'Why records were refused' });
    await rejects.getByText(victim).first().waitFor();
    await expect(rejects.getByText('How to fix:').count()).resolves.toBeGreaterThan(0);
    // The records table: filter on Refused, search the SKU.
    await page.getByRole('textbox', { name: 'Search by SKU or code' }).fill(victim);
    await page.getByTestId('records-table').getByText(victim, { exact: true }).first().waitFor();
    await expectAccessible(page, 'run detail with refusals');
    await screenshot(page, 'run-detail');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download refused records (CSV)' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toContain('how_to_fix');
    expect(lines.slice(1).some((l) => l.includes(victim))).toBe(true);
  });

  it('Retry refused, after fixing the ERP, runs exactly that record and it goes through', async () => {
    editItem(consoleApp.erpPath, victim, '1.5');
    await page.goto(`${consoleApp.url}/runs/${rejectedRun}`);
    await page.getByRole('button', { name: 'Retry refused records' }).click();
    await page.waitForURL((u) => u.pathname !== `/runs/${rejectedRun}` && /\/runs\/\d+$/.test(u.pathname));
    const retryId = Number(new URL(page.url()).pathname.split('/').pop());
    await waitForFinished(page, /Succeeded/);
    const detail = (await (await page.request.get(`${consoleApp.url}/api/v1/runs/${retryId}`)).json()) as { run: { mode: string; counts: { read: number; rejected: number } } };
    expect(detail.run.mode).toBe('keys');
    expect(detail.run.counts.rejected).toBe(0);
    expect(detail.run.counts.read).toBeGreaterThanOrEqual(1);
  });

  it('the runs list filters by status', async () => {
    await page.goto(`${consoleApp.url}/runs`);
    await page.getByRole('table').waitFor();
    await expect(page.getByRole('row').count()).resolves.toBeGreaterThanOrEqual(4);
    await expectAccessible(page, 'runs');
    await screenshot(page, 'runs');
    await page.goto(`${consoleApp.url}/runs?status=rejects`);
    await page.getByRole('link', { name: `#${rejectedRun}` }).waitFor();
    await expect(page.getByRole('row').count()).resolves.toBe(2);
  });

  it('Run now: a preview of one category shows the plan, then applies it', async () => {
    await page.goto(`${consoleApp.url}/run-now`);
    await page.getByLabel('Only one category').check();
    await page.getByPlaceholder(/Choose a category|Loading the ERP categories/).click();
    const option = page.getByRole('option').first();
    await option.waitFor();
    // Scanned once the list is closed: its options are reached from the input with the arrow
    // keys (aria-activedescendant), which axe's scrollable-region rule does not see.
    await option.click();
    await expectAccessible(page, 'run now with a category chosen');
    await page.getByLabel(/Preview first/).check();
    await screenshot(page, 'run-now');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('heading', { name: 'Preview: what this run would do' }).waitFor({ timeout: 60_000 });
    await expectAccessible(page, 'run now preview');
    await screenshot(page, 'run-now-preview');
    await page.getByRole('button', { name: 'Apply: run it for real' }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    await waitForFinished(page, /Succeeded/);
    const applied = Number(new URL(page.url()).pathname.split('/').pop());
    const detail = (await (await page.request.get(`${consoleApp.url}/api/v1/runs/${applied}`)).json()) as { run: { mode: string; status: string } };
    expect(detail.run).toMatchObject({ mode: 'category', status: 'succeeded' });
  });

  it('creates a schedule and shows its next five fire times', async () => {
    await page.goto(`${consoleApp.url}/schedules`);
    await page.getByRole('button', { name: 'Add a schedule' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Every night');
    await dialog.getByRole('textbox', { name: 'Hour (0–23)' }).fill('3');
    await dialog.getByTestId('preview-next-runs').locator('li').nth(4).waitFor();
    await expectAccessible(page, 'schedule form');
    await screenshot(page, 'schedule-form');
    await dialog.getByRole('button', { name: 'Save the schedule' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const card = page.getByTestId('schedule-card').filter({ hasText: 'Every night' });
    await card.waitFor();
    await expect(card.getByTestId('next-runs').locator('tr').count()).resolves.toBe(5);
    await expect(card.getByText('Every night at 03:00').isVisible()).resolves.toBe(true);
    await expectAccessible(page, 'schedules');
    await screenshot(page, 'schedules');
  });

  it('notifications: a webhook channel whose test cannot be delivered shows the error', async () => {
    await page.goto(`${consoleApp.url}/notifications`);
    await page.getByRole('button', { name: 'Add a channel' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Kind').click();
    await page.getByRole('option', { name: 'Webhook' }).click();
    await dialog.getByLabel('Name').fill('Ops webhook');
    await dialog.getByLabel('Address (URL)').fill('http://127.0.0.1:9/ferry');
    await dialog.getByRole('button', { name: 'Save the channel' }).click();
    await dialog.getByText('shown only this once').waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const card = page.getByTestId('channel-card').filter({ hasText: 'Ops webhook' });
    await card.getByRole('button', { name: 'Send test' }).click();
    await card.getByText('The test message could not be sent').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Add a rule' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Save the rule' }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await page.getByRole('cell', { name: 'a run fails', exact: true }).waitFor();
    await expectAccessible(page, 'notifications');
    await screenshot(page, 'notifications');
  });

  it('users: accounts, the audit log of who started which run, API tokens', async () => {
    await page.goto(`${consoleApp.url}/users`);
    await page.getByTestId('users-table').getByText('victor').waitFor();
    await expectAccessible(page, 'users');
    await screenshot(page, 'users');
    await page.getByRole('tab', { name: 'Audit log' }).click();
    await page.getByRole('cell', { name: 'run.start' }).first().waitFor();
    await expectAccessible(page, 'audit log');
    await screenshot(page, 'audit-log');
    await page.getByRole('tab', { name: 'API tokens' }).click();
    await page.getByLabel('Token name').fill('nightly-ci');
    await page.getByRole('button', { name: 'Create a token' }).click();
    await page.getByText('shown only this once').waitFor();
    await expectAccessible(page, 'tokens');
  });

  it('signs out', async () => {
    await page.goto(consoleApp.url);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const me = await page.request.get(`${consoleApp.url}/api/v1/me`);
    expect(me.status()).toBe(401);
  });

  it('a viewer sees the runs but cannot start one', async () => {
    const viewer = await browser.newContext({ bypassCSP: true });
      viewer.setDefaultTimeout(15_000);
    try {
      const p = await viewer.newPage();
      await signIn(p, consoleApp.url, 'victor');
      await expect(p.getByRole('link', { name: 'Run now' }).count()).resolves.toBe(0);
      await p.goto(`${consoleApp.url}/run-now`);
      await p.getByText('Your role cannot start runs').waitFor();
      await p.goto(`${consoleApp.url}/runs/${rejectedRun}`);
      await p.getByRole('heading', { name: `Run #${rejectedRun}` }).waitFor();
      await expect(p.getByRole('button', { name: 'Retry refused records' }).count()).resolves.toBe(0);
      // The server refuses too, whatever the page shows.
      const status = await p.evaluate(async () => {
        const me = (await (await fetch('/api/v1/me')).json()) as { csrfToken: string };
        const r = await fetch('/api/v1/runs', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: '{"mode":"delta"}' });
        return r.status;
      });
      expect(status).toBe(403);
    } finally {
      await viewer.close();
    }
  });
});

describe.skipIf(!run)('Ferry Console in Chromium: cancelling a long run', () => {
  let browser: Browser;
  let consoleApp: TestConsole;

  beforeAll(async () => {
    ensureWebBuilt();
    consoleApp = await startTestConsole(tempDir(), { items: 300, sandbox: { latency: '150ms+20ms/line' } });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await consoleApp?.close();
  });

  it('Cancel stops the run gracefully (marked stopped) and the next run picks up the rest', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, bypassCSP: true });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await signIn(page, consoleApp.url, 'olga');
    const first = await startRunFromUi(page, consoleApp.url, /Everything/);
    await waitForNumber(page, 'progress-records-done', 0, 90_000);
    await page.getByRole('button', { name: 'Cancel the run' }).click();
    // The stop reaches the ERP read at once, so a run may be stopped before "Stopping…" is painted.
    await page.getByText(/Stopping|This run was stopped before the end/).first().waitFor();
    await screenshot(page, 'cancel');
    await page.getByText('This run was stopped before the end').waitFor({ timeout: 120_000 });
    const stopped = (await (await page.request.get(`${consoleApp.url}/api/v1/runs/${first}`)).json()) as { run: { status: string; counts: { created: number } | null } };
    expect(stopped.run.status).toBe('interrupted');
    const productsAfterCancel = consoleApp.sandbox.stats().products;

    const second = await startRunFromUi(page, consoleApp.url, /Only what changed/);
    await waitForFinished(page, /Succeeded/, 180_000);
    const resumed = (await (await page.request.get(`${consoleApp.url}/api/v1/runs/${second}`)).json()) as { run: { status: string; counts: { created: number; rejected: number } } };
    expect(resumed.run.status).toBe('succeeded');
    expect(resumed.run.counts.created).toBeGreaterThan(0);
    expect(consoleApp.sandbox.stats().products).toBeGreaterThan(productsAfterCancel);
  }, 400_000);
});
