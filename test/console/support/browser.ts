/**
 * Debian's Chromium driven by playwright-core for the Console's browser tests, an axe-core scan
 * helper and page screenshots. Chromium missing: the tests skip with a note, except under
 * CI=true where that is a failure (.ci/run installs it).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium';
const IN_CI = process.env.CI === 'true';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
export const SCREENSHOT_DIR = join(ROOT, 'docs/console');

/** True when the browser tests can run; logs why not (or throws under CI). */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const note = `Chromium not found at ${CHROMIUM_PATH}; the Console browser tests are skipped. Install Debian's chromium (see .ci/run) or set FERRY_CHROMIUM.`;
  if (IN_CI) throw new Error(`CI=true but ${note}`);
  console.warn(`[skip] ${note}`);
  return false;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** Chromium with one page as the screenshots are taken: a desktop window, Paris time, British English. */
export async function launchDesktopPage(): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: 'Europe/Paris', locale: 'en-GB', bypassCSP: true });
  return { browser, page: await context.newPage() };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core in the page; returns the serious and critical violations (WCAG 2.x A/AA rules). */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  const hasAxe = await page.evaluate(() => typeof (globalThis as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!hasAxe) await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    const g = globalThis as unknown as { document: unknown; axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } };
    return g.axe.run(g.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
}

/** The number a `data-testid` element shows ("1,234" → 1234), read in the page. */
export async function waitForNumber(page: Page, testId: string, above: number, timeout: number): Promise<void> {
  await page.waitForFunction(
    ([id, min]) => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document;
      return Number(doc.querySelector(`[data-testid="${id}"]`)?.textContent?.replace(/\D/g, '') || 0) > min;
    },
    [testId, above] as const,
    { timeout },
  );
}

/** docs/console/<name>.png, full page, for the user guide. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // From the top: a page scrolled to the button just clicked would draw its sticky header mid-page.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
