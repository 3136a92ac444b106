/**
 * The Console on a PostgreSQL state, in Chromium: Peter opens the Estimate page before the first
 * import (duration, requests, bottleneck, memory, advice in words), then starts that import from
 * the Console and watches its live progress with the time left; the run is in PostgreSQL and the
 * Runs page lists it. Without PostgreSQL the same runs on a SQLite state (CI=true fails instead).
 * Screenshot: docs/console/estimate.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../sync/support/e2e.js';
import { createPgStateDatabase, pgStateAvailable, type PgStateDatabase } from '../sync/support/pg-state.js';
import { chromiumAvailable, launchDesktopPage, screenshot, seriousAxeViolations, waitForNumber } from './support/browser.js';
import { ensureWebBuilt, PASSWORDS, startTestConsole, type TestConsole } from './support/console.js';

const run = chromiumAvailable();
const tempDir = tempDirs('ferry-console-estimate-');
const withPg = run && (await pgStateAvailable());

describe.skipIf(!run)(`Estimate page and a first import from the Console (${withPg ? 'PostgreSQL' : 'SQLite'} state)`, () => {
  let browser: Browser;
  let consoleApp: TestConsole;
  let page: Page;
  let pgDb: PgStateDatabase | null = null;

  beforeAll(async () => {
    ensureWebBuilt();
    pgDb = withPg ? await createPgStateDatabase() : null;
    const dir = tempDir();
    consoleApp = await startTestConsole(dir, {
      items: 1500,
      // SaaS limits and a remote PIM's pace: the estimate has a round trip to measure, the run a progress to show.
      sandbox: { limits: 'saas', latency: '60ms+3ms/line' },
      ...(pgDb ? { state: { url: pgDb.url, schema: 'ferry', path: `${dir}/data/ferry.db` } } : {}),
    });
    ({ browser, page } = await launchDesktopPage());
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await consoleApp?.close();
    await pgDb?.drop();
  });

  it('shows the estimate in plain words: duration best and likely, requests, bottleneck, memory, advice', async () => {
    await page.goto(`${consoleApp.url}/sign-in`);
    await page.getByLabel('User name').fill('olga');
    await page.getByLabel(/^Password/).fill(PASSWORDS.olga);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Estimate' }).click();
    await page.getByRole('heading', { name: 'Estimate', level: 2 }).waitFor();
    await waitForNumber(page, 'estimate-requests', 0, 60_000);
    const api = (await (await page.request.get(`${consoleApp.url}/api/v1/estimate`)).json()) as { estimate: { requests: { total: number }; durationSeconds: { best: number; likely: number }; memoryMb: number; entities: { products: number } } };
    expect(api.estimate.entities.products).toBe(1500);
    expect(await page.getByTestId('estimate-requests').textContent()).toBe(`~${api.estimate.requests.total.toLocaleString('en-GB')}`);
    expect(await page.getByTestId('estimate-likely-duration').textContent()).toMatch(/^\d+ s$|min/);
    await page.getByText(/at best$/).waitFor();
    expect(await page.getByTestId('estimate-bottleneck').textContent()).toBe('Calls at once per connection');
    await page.getByText('One Akeneo connection carries 4 calls at a time').waitFor();
    expect(await page.getByTestId('estimate-memory').textContent()).toBe(`~${api.estimate.memoryMb} MB`);
    await page.getByRole('table', { name: 'Requests by kind' }).getByText('Product models').waitFor();
    // Advice depends on the PIM's measured round trip (a second estimate may differ): a list of it, or the words saying there is nothing to prepare.
    await page.getByRole('heading', { name: 'Advice' }).waitFor();
    await page.getByTestId('estimate-advice').or(page.getByText('Nothing to prepare: this import is small enough to start any time.')).waitFor();
    const violations = await seriousAxeViolations(page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await screenshot(page, 'estimate');
  });

  it('starts the first import from the Console and follows it with the time left; the history is in the state', async () => {
    await page.goto(`${consoleApp.url}/run-now`);
    await page.getByLabel(/Everything/).check();
    await page.getByRole('button', { name: 'Start the run' }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split('/').pop());
    await page.getByRole('heading', { name: 'Live progress' }).waitFor({ timeout: 30_000 });
    await waitForNumber(page, 'progress-records-done', 0, 60_000);
    await page.getByTestId('progress-time-left').getByText(/about|estimating/).waitFor();
    await page.getByRole('heading', { name: 'What happened, by kind of record' }).waitFor({ timeout: 180_000 });
    const history = await consoleApp.server.ctx.state.history().listRuns({}, { offset: 0, limit: 5 });
    expect(history.items[0]).toMatchObject({ id, mode: 'full', status: 'succeeded' });
    expect(consoleApp.config.state.driver).toBe(withPg ? 'postgres' : 'sqlite');
    await page.goto(`${consoleApp.url}/runs`);
    await page.getByRole('link', { name: new RegExp(`#${id}\\b`) }).first().waitFor();
  }, 240_000);
});
