/**
 * `ferry serve` and `ferry users`, run as real child processes: no user → refusal, users from
 * stdin, the non-loopback warning, Ctrl-C (SIGTERM) stops it; a run from `ferry sync` in a
 * terminal shows in the Console (same state database).
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { createConsole } from '../../src/server/app.js';
import { loadConfig } from '../../src/config/load.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { createErpSource } from '../../src/erp/factory.js';
import { tempDirs } from '../sync/support/e2e.js';
import { clientFor } from '../sync/support/pim.js';
import { signIn, silent } from './support.js';
import { createPgStateDatabase, pgStateAvailable, type PgStateDatabase } from '../sync/support/pg-state.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const tempDir = tempDirs('ferry-console-cli-');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function ferry(args: string[], cwd: string, options: { input?: string; until?: RegExp } = {}): Promise<Run> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/index.ts'), ...args], {
    cwd,
    env: { ...process.env, FERRY_LOG_LEVEL: 'warn' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let stopped = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    // Once it says what we wait for, stop it as Ctrl-C would (once).
    if (!stopped && options.until && options.until.test(stdout)) {
      stopped = true;
      child.kill('SIGTERM');
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(options.input ?? '');
  return new Promise((r) => child.on('exit', (code) => r({ code, stdout, stderr })));
}

describe('ferry serve / ferry users', () => {
  let sb: RunningSandbox;
  let dir: string;
  beforeAll(async () => {
    sb = await startSandbox({ catalog: 'demo' });
    dir = tempDir();
    writeFileSync(
      join(dir, 'ferry.yaml'),
      [
        'pim:',
        `  url: ${sb.url}`,
        `  clientId: ${sb.clientId}`,
        `  secret: ${sb.secret}`,
        `  username: ${sb.username}`,
        `  password: ${sb.password}`,
        'erp:',
        '  type: demo',
        '  path: ./demo-erp.sqlite',
        '  items: 30',
        'mapping:',
        '  preset: demo',
        'state:',
        '  path: ./ferry.db',
        '',
      ].join('\n'),
    );
    const config = await loadConfig(join(dir, 'ferry.yaml'));
    const client = clientFor(sb);
    const source = createErpSource({ ...config.erp, path: join(dir, 'demo-erp.sqlite') } as typeof config.erp);
    try {
      await bootstrapPim(client, config.mapping, source);
    } finally {
      await source.close();
      await client.close();
    }
  });
  afterAll(async () => sb?.close());

  it('serve without a user prints a one-time setup link (issue 15) and how to add a user in a terminal instead', async () => {
    const r = await ferry(['serve', '--port', '0'], dir, { until: /setup\?token=/ });
    expect(r.stdout).toMatch(/Open this one-time link to create the first admin.*\n\s+http:\/\/127\.0\.0\.1:\d+\/setup\?token=[\w-]{32}\n/);
    expect(r.stdout).toContain('ferry users add NAME --role admin');
  });

  it('users add reads the password from stdin, checks role and length; users list shows it', async () => {
    const bad = await ferry(['users', 'add', 'julia', '--role', 'boss'], dir, { input: 'long-enough-pass\n' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--role boss is not a role');
    const short = await ferry(['users', 'add', 'julia', '--role', 'admin'], dir, { input: 'short\n' });
    expect(short.stderr).toContain('at least 10 characters');
    const ok = await ferry(['users', 'add', 'julia', '--role', 'admin'], dir, { input: 'julia-password-1\n' });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('Added julia (admin).\n');
    const again = await ferry(['users', 'add', 'julia', '--role', 'viewer'], dir, { input: 'julia-password-1\n' });
    expect(again.stderr).toContain('already exists');
    const list = await ferry(['users', 'list'], dir);
    expect(list.stdout).toMatch(/^julia\s+admin\s*$/m);
    // The Quick start has no config file: --state names the database.
    const byState = await ferry(['users', 'list', '--json', '--state', join(dir, 'ferry.db'), '--config', 'none.yaml'], dir);
    expect((JSON.parse(byState.stdout) as { name: string }[]).map((u) => u.name)).toEqual(['julia']);
  });

  it('serve on a non-loopback address warns about clear text; SIGTERM stops it', async () => {
    const r = await ferry(['serve', '--host', '0.0.0.0', '--port', '0'], dir, { until: /Ferry Console: / });
    expect(r.stderr).toContain('warning: serving on 0.0.0.0 without TLS');
    expect(r.stdout).toMatch(/Ferry Console: http:\/\/[\d.]+:\d+ \(Ctrl-C to stop\)/);
    expect(r.stdout).toContain('Stopping the Console');
    expect(r.code).toBe(0);
    const quiet = await ferry(['serve', '--port', '0'], dir, { until: /Ferry Console: / });
    expect(quiet.stderr).not.toContain('warning');
  });

  it('a run started in a terminal (ferry sync) shows in the Console', async () => {
    const config = await loadConfig(join(dir, 'ferry.yaml'));
    const fixed = { ...config, erp: { ...config.erp, path: join(dir, 'demo-erp.sqlite') } as typeof config.erp, state: { ...config.state, path: join(dir, 'ferry.db') } };
    const server = await createConsole({ config: fixed, logger: silent });
    try {
      const s = await signIn(server, 'julia', 'julia-password-1');
      const sync = await ferry(['sync', '--json'], dir);
      expect(sync.code, sync.stderr).toBe(0);
      const { runId } = JSON.parse(sync.stdout) as { runId: number };
      const list = (await server.app.inject({ method: 'GET', url: '/api/v1/runs', headers: s.headers })).json() as { items: { id: number; startedBy: string; cancellable: boolean }[] };
      expect(list.items[0]).toMatchObject({ id: runId, startedBy: 'cli', cancellable: false });
      const audit = (await server.app.inject({ method: 'GET', url: '/api/v1/audit', headers: s.headers })).json() as { items: { actor: string; action: string }[] };
      expect(audit.items.some((a) => a.actor === 'cli' && a.action === 'user.create')).toBe(true);
    } finally {
      await server.close();
    }
  });
});

/** Starts `ferry serve` and gives its address once it listens (stop it with the returned kill). */
function serveUntilListening(cwd: string): Promise<{ url: string; stop(): Promise<Run> }> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/index.ts'), 'serve', '--port', '0'], { cwd, env: { ...process.env, FERRY_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<Run>((r) => child.on('exit', (code) => r({ code, stdout, stderr })));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolveUrl, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /Ferry Console: (http:\/\/[\d.]+:\d+)/.exec(stdout);
      if (m) resolveUrl({ url: m[1]!, stop: () => (child.kill('SIGTERM'), exited) });
    });
    void exited.then((r) => reject(new Error(`ferry serve exited (${r.code}) before listening: ${r.stderr}`)));
  });
}

const withPg = await pgStateAvailable();

describe.skipIf(!withPg)('ferry serve on a PostgreSQL state', () => {
  let sb: RunningSandbox;
  let dir: string;
  let pg: PgStateDatabase;
  beforeAll(async () => {
    sb = await startSandbox({ catalog: 'demo' });
    pg = await createPgStateDatabase();
    dir = tempDir();
    const pimLines = ['pim:', `  url: ${sb.url}`, `  clientId: ${sb.clientId}`, `  secret: ${sb.secret}`, `  username: ${sb.username}`, `  password: ${sb.password}`];
    writeFileSync(join(dir, 'ferry.yaml'), [...pimLines, 'erp:', '  type: demo', '  path: ./demo-erp.sqlite', '  items: 30', 'mapping:', '  preset: demo', 'state:', `  url: ${pg.url}`, '  schema: ferry', ''].join('\n'));
    const config = await loadConfig(join(dir, 'ferry.yaml'));
    const client = clientFor(sb);
    const source = createErpSource({ ...config.erp, path: join(dir, 'demo-erp.sqlite') } as typeof config.erp);
    try {
      await bootstrapPim(client, config.mapping, source);
    } finally {
      await source.close();
      await client.close();
    }
  });
  afterAll(async () => {
    await sb?.close();
    await pg?.drop();
  });

  it("starts (no refusal), keeps its users in data/console.db, and lists a terminal's run from PostgreSQL", async () => {
    const added = await ferry(['users', 'add', 'peter', '--role', 'operator'], dir, { input: 'peter-password-1\n' });
    expect(added.stderr).toBe('');
    expect(existsSync(join(dir, 'data', 'console.db'))).toBe(true);
    const sync = await ferry(['sync', '--json'], dir);
    expect(sync.code, sync.stderr).toBe(0);
    const { runId } = JSON.parse(sync.stdout) as { runId: number };
    const serve = await serveUntilListening(dir);
    try {
      const signedIn = await fetch(`${serve.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'peter', password: 'peter-password-1' }) });
      expect(signedIn.status).toBe(200);
      const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith('ferry_session='))!.split(';')[0]!;
      const runs = (await (await fetch(`${serve.url}/api/v1/runs`, { headers: { cookie } })).json()) as { items: { id: number; status: string; startedBy: string }[] };
      expect(runs.items[0]).toMatchObject({ id: runId, status: 'succeeded', startedBy: 'cli' });
      const ready = (await (await fetch(`${serve.url}/readyz`)).json()) as { checks: { state: boolean } };
      expect(ready.checks.state).toBe(true);
    } finally {
      const stopped = await serve.stop();
      expect(stopped.code).toBe(0);
    }
    // The state file is not used with PostgreSQL: nothing was written beside the config but the Console's own file.
    expect(existsSync(join(dir, 'data', 'ferry.db'))).toBe(false);
  }, 120_000);
});

describe('cancel a terminal run from the Console', () => {
  let sb: RunningSandbox;
  let dir: string;
  beforeAll(async () => {
    // Slow per line: the terminal's run is still sending its first batches when the Console cancels it.
    sb = await startSandbox({ catalog: 'demo', latency: '50ms+60ms/line' });
    dir = tempDir();
    writeFileSync(
      join(dir, 'ferry.yaml'),
      ['pim:', `  url: ${sb.url}`, `  clientId: ${sb.clientId}`, `  secret: ${sb.secret}`, `  username: ${sb.username}`, `  password: ${sb.password}`, 'erp:', '  type: demo', '  path: ./demo-erp.sqlite', '  items: 150', 'mapping:', '  preset: demo', 'state:', '  path: ./ferry.db', ''].join('\n'),
    );
    const config = await loadConfig(join(dir, 'ferry.yaml'));
    // 60 ms a line: the 44 size options the ERP declares are one 2.7 s request.
    const client = clientFor(sb, { timeoutMs: 30_000 });
    const source = createErpSource({ ...config.erp, path: join(dir, 'demo-erp.sqlite') } as typeof config.erp);
    try {
      await bootstrapPim(client, config.mapping, source);
    } finally {
      await source.close();
      await client.close();
    }
  }, 120_000);
  afterAll(async () => sb?.close());

  it('the ferry sync process stops gracefully, exits interrupted, and its report says who cancelled', async () => {
    const config = await loadConfig(join(dir, 'ferry.yaml'));
    const fixed = { ...config, erp: { ...config.erp, path: join(dir, 'demo-erp.sqlite') } as typeof config.erp, state: { ...config.state, path: join(dir, 'ferry.db') } };
    const server = await createConsole({ config: fixed, logger: silent });
    try {
      await server.ctx.auth.addUser('olga', 'operator', 'olga-password-1');
      const s = await signIn(server, 'olga', 'olga-password-1');
      const sync = ferry(['sync', '--json'], dir);
      // Wait until the terminal's run is numbered and holds the lock: then the Console may stop it.
      let runId: number | null = null;
      for (let i = 0; i < 300 && runId === null; i++) {
        const list = (await server.app.inject({ method: 'GET', url: '/api/v1/runs', headers: s.headers })).json() as { items: { id: number; status: string; cancellable: boolean }[] };
        const going = list.items.find((r) => r.status === 'running' && r.cancellable);
        if (going) runId = going.id;
        else await new Promise((r) => setTimeout(r, 100));
      }
      expect(runId, 'the terminal run shows as running and cancellable').not.toBeNull();
      const cancel = await server.app.inject({ method: 'POST', url: `/api/v1/runs/${runId}/cancel`, headers: s.headers });
      expect(cancel.statusCode, cancel.body).toBe(202);
      const done = await sync;
      const report = JSON.parse(done.stdout) as { runId: number; status: string; interrupted?: { reason: string } };
      expect(report.runId).toBe(runId);
      expect(report.status).toBe('interrupted');
      expect(done.code).toBe(1);
      expect(done.stderr).toContain('the Console asked to stop this run (user:olga)');
      const detail = (await server.app.inject({ method: 'GET', url: `/api/v1/runs/${runId}`, headers: s.headers })).json() as { run: { status: string; cancellable: boolean }; report: { interrupted?: { reason: string }; counts: { read: number } } };
      expect(detail.run).toMatchObject({ status: 'interrupted', cancellable: false });
      expect(detail.report.interrupted?.reason).toBe('cancelled from the Console by user:olga');
      await server.ctx.auth.addUser('ada', 'admin', 'ada-password-12');
      const admin = await signIn(server, 'ada', 'ada-password-12');
      const audit = (await server.app.inject({ method: 'GET', url: '/api/v1/audit?action=run.cancel', headers: admin.headers })).json() as { items: { actor: string; target: string }[] };
      expect(audit.items[0]).toMatchObject({ actor: 'user:olga', target: `run#${runId}` });
      // Nothing left to stop.
      expect((await server.app.inject({ method: 'POST', url: `/api/v1/runs/${runId}/cancel`, headers: s.headers })).statusCode).toBe(409);
    } finally {
      await server.close();
    }
  }, 180_000);
});
