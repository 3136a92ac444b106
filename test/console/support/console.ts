/**
 * A real Console for the browser tests: a PIM sandbox, the generated demo ERP (SQLite), the PIM
 * bootstrapped, and `ferry serve`'s own server factory listening on a random port, serving the
 * built web app (dist/web, built here when missing).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { stringify } from 'yaml';
import { ferryConfigSchema, type FerryConfig } from '../../../src/config/schema.js';
import { createErpSource } from '../../../src/erp/factory.js';
import { createLogger } from '../../../src/logging.js';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../../src/sandbox/index.js';
import { createConsole, type ConsoleServer } from '../../../src/server/app.js';
import { bootstrapPim } from '../../../src/sync/bootstrap.js';
import { clientFor } from '../../sync/support/pim.js';
import { sandboxPimConfig } from '../../sync/support/e2e.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
export const WEB_ROOT = join(ROOT, 'dist/web');

/** dist/web as `npm run build` makes it; built once when missing (a fresh clone's `npm ci` builds it already). */
export function ensureWebBuilt(): void {
  if (existsSync(join(WEB_ROOT, 'index.html'))) return;
  execFileSync('npm', ['run', 'build:web', '--silent'], { cwd: ROOT, stdio: 'inherit' });
}

export interface TestConsole {
  url: string;
  sandbox: RunningSandbox;
  config: FerryConfig;
  server: ConsoleServer;
  erpPath: string;
  close(): Promise<void>;
}

export const PASSWORDS = { julia: 'julia-secret-pw-1', olga: 'olga-secret-pw-1', victor: 'victor-secret-pw-1' } as const;

/** `configFile: true` also writes the config as <dir>/ferry.yaml and gives it to the Console, which then reads and writes it. */
/** `state`: the config's `state:` section (default: ferry.db in `dir`; a PostgreSQL state puts the Console's own file there as console.db). */
export async function startTestConsole(dir: string, options: { items: number; sandbox?: SandboxOptions; configFile?: boolean; state?: Record<string, unknown> }): Promise<TestConsole> {
  const sandbox = await startSandbox({ catalog: 'demo', ...options.sandbox });
  const erpPath = join(dir, 'demo-erp.sqlite');
  const input = {
    pim: sandboxPimConfig(sandbox, { timeoutMs: 30_000 }),
    erp: { type: 'demo', path: erpPath, items: options.items, seed: 7 },
    mapping: { preset: 'demo' },
    state: options.state ?? { path: join(dir, 'ferry.db') },
  };
  const config = ferryConfigSchema.parse(input);
  const configFile = options.configFile ? join(dir, 'ferry.yaml') : undefined;
  if (configFile) writeFileSync(configFile, `# Ferry test config: the Console edits this file\n${stringify(input)}`);
  const client = clientFor(sandbox);
  const source = createErpSource(config.erp);
  try {
    await bootstrapPim(client, config.mapping, source);
  } finally {
    await source.close();
    await client.close();
  }
  const server = await createConsole({ config, connectionName: 'Demo ERP → Akeneo', webRoot: WEB_ROOT, ...(configFile ? { configFile } : {}), logger: createLogger({ level: 'silent' }), send: { attempts: 2, backoffMs: 50, timeoutMs: 2000 } });
  await server.ctx.auth.addUser('julia', 'admin', PASSWORDS.julia);
  await server.ctx.auth.addUser('olga', 'operator', PASSWORDS.olga);
  await server.ctx.auth.addUser('victor', 'viewer', PASSWORDS.victor);
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  server.start();
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    sandbox,
    config,
    server,
    erpPath,
    async close() {
      await server.close();
      await sandbox.close();
    },
  };
}

/** A page of a fresh browser context signed in as `user` (one of PASSWORDS), on the Dashboard. */
export async function signedInPage(browser: Browser, app: TestConsole, user: keyof typeof PASSWORDS, viewport = { width: 1400, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'en-GB', bypassCSP: true });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  await page.goto(`${app.url}/sign-in`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel(/^Password/).fill(PASSWORDS[user]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  return page;
}
