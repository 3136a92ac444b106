/**
 * `ferry serve` as a person starts it in a folder (a child process, no config, no user yet): the
 * first-run wizard's browser tests wait for the one-time setup link it prints, walk the wizard's
 * common steps through these helpers, and measure the steps and seconds it takes (WizardMeter).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { ROOT } from '../../support/ferry-cli.js';

export interface ServedFerry {
  child: ChildProcess;
  url: string;
  link: string;
  output: () => string;
}

/** `ferry serve --port 0` in `cwd`; resolves with the setup link it prints. */
export function serveFirstRun(cwd: string): Promise<ServedFerry> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/index.ts'), 'serve', '--port', '0'], {
    cwd,
    env: { ...process.env, FERRY_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no setup link in 60 s:\n${out}`)), 60_000);
    const check = () => {
      const link = /(http:\/\/\S+\/setup\?token=\S+)/.exec(out)?.[1];
      const url = /Ferry Console: (http:\/\/\S+)/.exec(out)?.[1];
      if (link && url) {
        clearTimeout(timer);
        resolve({ child, url, link, output: () => out });
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`ferry serve exited (${code}):\n${out}`)));
  });
}

/**
 * What the "Done when" asks for: how many steps a person takes in the wizard and how long
 * it takes from `ferry serve` to the first import. Every click and every field typed through the
 * meter is a step; what the test does beside a person's path (a wrong secret tried on purpose,
 * reloads proving each step resumes, screenshots) runs in `detour`, neither counted nor timed.
 */
export class WizardMeter {
  private readonly started = performance.now();
  private detoursMs = 0;
  /** Inside a detour: its clicks and fields are the test's, not a person's. */
  private inDetour = 0;
  private clicks = 0;
  private fields = 0;
  private readonly screens = new Set<string>();
  private readonly marks: { what: string; steps: number; seconds: number }[] = [];

  constructor(private readonly page: Page) {}

  async click(target: Locator): Promise<void> {
    if (!this.inDetour) this.clicks++;
    await target.click();
  }

  async fill(target: Locator, value: string): Promise<void> {
    if (!this.inDetour) this.fields++;
    await target.fill(value);
  }

  /** The wizard step shown now (its Stepper label), counted as a screen; with `expected`, waits until it is that one. */
  async screen(expected?: string): Promise<string> {
    const current = this.page.locator('.mantine-Stepper-step[data-progress] .mantine-Stepper-stepLabel');
    if (expected) await current.filter({ hasText: new RegExp(`^${expected}$`) }).waitFor({ timeout: 30_000 });
    const label = (await current.textContent({ timeout: 30_000 })) ?? '?';
    this.screens.add(label);
    return label;
  }

  async detour<T>(run: () => Promise<T>): Promise<T> {
    const t = performance.now();
    this.inDetour++;
    try {
      return await run();
    } finally {
      this.inDetour--;
      // A detour inside a detour is already timed by the outer one.
      if (!this.inDetour) this.detoursMs += performance.now() - t;
    }
  }

  get steps(): number {
    return this.clicks + this.fields;
  }

  get seconds(): number {
    return Math.round((performance.now() - this.started - this.detoursMs) / 100) / 10;
  }

  /** Records (and prints) the figure at a milestone: `wizard[label]: N steps (…), S s to <what>`. */
  mark(label: string, what: string): string {
    this.marks.push({ what, steps: this.steps, seconds: this.seconds });
    const line = `wizard[${label}]: ${this.steps} steps (${this.clicks} clicks, ${this.fields} fields typed), ${this.screens.size} wizard screens, ${this.seconds} s from ferry serve on an empty folder to ${what} (test detours not counted: ${Math.round(this.detoursMs / 100) / 10} s)`;
    console.log(line);
    return line;
  }
}

/**
 * Leaves the wizard and comes back: a reload of /setup mid-wizard shows the same step again
 * (the position is kept on the server), as a person closing the tab and reopening the link would.
 */
export async function expectResumes(page: Page, meter: WizardMeter): Promise<void> {
  await meter.detour(async () => {
    const before = await meter.screen();
    await page.goto(new URL('/', page.url()).href);
    await page.goto(new URL('/setup', page.url()).href);
    await page.getByRole('heading', { name: 'Set up Ferry' }).waitFor({ timeout: 30_000 });
    await page.locator('.mantine-Stepper-step[data-progress] .mantine-Stepper-stepLabel', { hasText: before }).waitFor({ timeout: 30_000 });
  });
}

/** The one-time link: the first admin, as a person types it. */
export async function createFirstAdmin(page: Page, meter: WizardMeter, link: string, shot: (name: string) => Promise<void>, name: string): Promise<void> {
  await page.goto(link);
  await page.getByRole('heading', { name: 'Welcome to Ferry' }).waitFor();
  await meter.fill(page.getByLabel('Your user name'), 'julia');
  await meter.fill(page.getByLabel(/^Password/).first(), 'julia-first-admin-1');
  await meter.fill(page.getByLabel(/^Password again/), 'julia-first-admin-1');
  await meter.detour(() => shot(name));
  await meter.click(page.getByRole('button', { name: 'Create the admin and start' }));
  await page.getByRole('heading', { name: 'Set up Ferry' }).waitFor();
}

/** The PIM step's form filled with a sandbox's Connection (the secret given separately). */
export async function fillPimForm(page: Page, meter: WizardMeter, sandbox: { url: string; clientId: string; username: string; password: string }, secret: string): Promise<void> {
  const pim = page.getByTestId('pim-section');
  await meter.fill(pim.getByRole('textbox', { name: /^URL/ }), sandbox.url);
  await meter.fill(pim.getByRole('textbox', { name: /^Client ID/ }), sandbox.clientId);
  await meter.fill(pim.getByLabel(/^Secret/), secret);
  await meter.fill(pim.getByRole('textbox', { name: /^Username/ }), sandbox.username);
  await meter.fill(pim.getByLabel(/^Password/), sandbox.password);
}

/** The "Prepare the PIM" step: the Bootstrap page's grouped plan, applied after the confirmation, a result per item. */
export async function bootstrapThePim(page: Page, meter: WizardMeter, shot: (name: string) => Promise<void>, name: string): Promise<string> {
  await page.getByTestId('bootstrap-plan').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid^="plan-attribute-"]').first().waitFor();
  await meter.detour(() => shot(name));
  await meter.click(page.getByRole('button', { name: 'Apply to the PIM…' }));
  await meter.click(page.getByRole('button', { name: /^Apply \d+ changes?$/ }));
  const result = page.getByTestId('bootstrap-result');
  await result.waitFor({ timeout: 60_000 });
  const text = (await result.textContent()) ?? '';
  await meter.detour(() => shot(`${name}-applied`));
  await meter.click(page.getByRole('button', { name: 'Continue' }));
  return text;
}

/**
 * The dry run, then the first import with a reload while it runs (the job is kept in the
 * wizard's position: the page comes back to its live progress or its result).
 */
export async function dryRunThenFirstImport(page: Page, meter: WizardMeter, shot: (name: string) => Promise<void>, names: { dryRun: string; firstRun: string }): Promise<{ dryRun: string; firstRun: string }> {
  await meter.screen('Dry run');
  await meter.click(page.getByRole('button', { name: 'Start the dry run' }));
  await page.getByTestId('dry-run-result').waitFor({ timeout: 120_000 });
  const dryRun = (await page.getByTestId('dry-run-result').textContent()) ?? '';
  await meter.detour(() => shot(names.dryRun));
  await expectResumes(page, meter);
  await meter.click(page.getByRole('button', { name: 'Continue' }));

  await meter.screen('First import');
  await meter.click(page.getByRole('button', { name: 'Start the first import' }));
  await page.locator('[data-testid="progress-phase"], [data-testid="first-run-result"]').first().waitFor({ timeout: 60_000 });
  await expectResumes(page, meter);
  await page.getByTestId('first-run-result').waitFor({ timeout: 180_000 });
  const firstRun = (await page.getByTestId('first-run-result').textContent()) ?? '';
  await meter.detour(() => shot(names.firstRun));
  return { dryRun, firstRun };
}

/**
 * After a successful first import: the figure recorded (`wizard[label]: …`), then the schedule
 * (nightly), notifications skipped and the wizard done, each step left and resumed first.
 * Returns the figure up to the first import.
 */
export async function scheduleAndFinish(page: Page, meter: WizardMeter, shot: (name: string) => Promise<void>, label: string, doneShot: string): Promise<string> {
  const figure = meter.mark(label, 'a successful first import');
  await meter.click(page.getByRole('button', { name: 'Continue' }));
  await meter.screen('Schedule');
  await expectResumes(page, meter);
  await meter.click(page.getByRole('button', { name: 'Schedule nightly and continue' }));
  await meter.screen('Notifications');
  await expectResumes(page, meter);
  await meter.click(page.getByRole('button', { name: 'Skip for now, finish' }));
  await page.getByTestId('setup-done').waitFor();
  await meter.detour(() => shot(doneShot));
  meter.mark(label, 'the wizard done (schedule set)');
  return figure;
}
