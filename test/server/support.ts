/**
 * A Console over real pieces for the API tests: the PIM sandbox, the generated demo ERP,
 * the real engine and state store, and one user per role, signed in through the API.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { ferryConfigSchema, type FerryConfig } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { createConsole, type ConsoleOptions, type ConsoleServer } from '../../src/server/app.js';
import type { Role } from '../../src/server/api/contract.js';
import { clientFor } from '../sync/support/pim.js';
import { sandboxPimConfig } from '../sync/support/e2e.js';
import { pgStateSchemas } from '../sync/support/state-stores.js';

export const silent = createLogger({ level: 'silent' });

export interface Session {
  cookie: string;
  csrf: string;
  headers: Record<string, string>;
}

export interface TestConsole {
  sb: RunningSandbox;
  config: FerryConfig;
  server: ConsoleServer;
  dir: string;
  /** A session per role: admin, operator, viewer (passwords `<role>-password-1`). */
  as: Record<Role, Session>;
  close(): Promise<void>;
}

export function demoConfig(sb: RunningSandbox, dir: string, mapping: Record<string, unknown> = {}, state: Record<string, unknown> = { path: join(dir, 'ferry.db') }): FerryConfig {
  return ferryConfigSchema.parse({
    pim: sandboxPimConfig(sb),
    erp: { type: 'demo', path: join(dir, 'demo-erp.sqlite'), items: 60, seed: 11 },
    mapping: { preset: 'demo', ...mapping },
    state,
  });
}

/** A kind of state the Console runs on in the tests: `state(dir)` gives a fresh `state:` section. */
export interface ConsoleStateKind {
  name: 'SQLite' | 'PostgreSQL';
  state(dir: string): Record<string, unknown>;
}

/**
 * The states the Console's API tests run on, for `describe.each`: the SQLite file in the test's
 * folder and, when PostgreSQL answers, a fresh schema of one throw-away database per test file
 * (skipped otherwise, failed under CI=true; pgStateSchemas of test/sync/support/state-stores.ts). The Console's
 * own tables then go to console.db in the test's folder. Call at the top level of a test file.
 */
export async function consoleStateKinds(): Promise<ConsoleStateKind[]> {
  const kinds: ConsoleStateKind[] = [{ name: 'SQLite', state: (dir) => ({ path: join(dir, 'ferry.db') }) }];
  const schemas = await pgStateSchemas();
  if (schemas) kinds.push({ name: 'PostgreSQL', state: (dir) => ({ ...schemas(), path: join(dir, 'ferry.db') }) });
  return kinds;
}

/** A mapping that rejects every item with an EAN (too long for a 5-character limit, blocking). */
export const rejectingEan = { attributes: { ean: { maxLength: 5 } }, errors: { blockRecord: { too_long: true } } };

export async function signIn(server: ConsoleServer, username: string, password: string): Promise<Session> {
  const res = await server.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password } });
  expect(res.statusCode, res.body).toBe(200);
  const set = res.cookies.find((c) => c.name === 'ferry_session');
  expect(set?.httpOnly).toBe(true);
  expect(set?.sameSite).toBe('Strict');
  const cookie = `ferry_session=${set!.value}`;
  const csrf = (res.json() as { csrfToken: string }).csrfToken;
  return { cookie, csrf, headers: { cookie, 'x-csrf-token': csrf } };
}

export async function startTestConsole(
  dir: string,
  options: { mapping?: Record<string, unknown>; sandbox?: SandboxOptions; console?: Partial<ConsoleOptions>; state?: ConsoleStateKind } = {},
): Promise<TestConsole> {
  // Credentials unlike any word an answer may hold, so a leak test cannot pass by luck.
  const sb = await startSandbox({ catalog: 'demo', secret: 'pim-secret-4711', password: 'pim-password-4711', ...options.sandbox });
  const config = demoConfig(sb, dir, options.mapping, options.state?.state(dir));
  const client = clientFor(sb);
  const source = createErpSource(config.erp);
  try {
    await bootstrapPim(client, config.mapping, source);
  } finally {
    await source.close();
    await client.close();
  }
  const server = await createConsole({ config, logger: silent, publicUrl: 'http://console.test', send: { attempts: 3, backoffMs: 20, timeoutMs: 2000 }, ...options.console });
  const as = {} as Record<Role, Session>;
  for (const role of ['admin', 'operator', 'viewer'] as const) {
    await server.ctx.auth.addUser(role, role, `${role}-password-1`);
    as[role] = await signIn(server, role, `${role}-password-1`);
  }
  return {
    sb,
    config,
    server,
    dir,
    as,
    async close() {
      await server.close();
      await sb.close();
    },
  };
}

/** Starts a run through the API and waits for its end; returns the run id. */
export async function runThroughApi(tc: TestConsole, body: Record<string, unknown>, session: Session = tc.as.operator): Promise<{ runId: number | null; jobId: string }> {
  const res = await tc.server.app.inject({ method: 'POST', url: '/api/v1/runs', headers: session.headers, payload: body });
  expect(res.statusCode, res.body).toBe(202);
  const started = res.json() as { runId: number | null; jobId: string };
  await tc.server.ctx.manager.idle();
  return started;
}

/** Changes items in the demo ERP (its SQLite file) with a fresh updated_at so a delta run sees them. */
export function editErp(config: FerryConfig, sql: string, ...args: unknown[]): void {
  const path = (config.erp as { path: string }).path;
  const db = new Database(path);
  try {
    db.prepare(sql).run(...args);
  } finally {
    db.close();
  }
}
