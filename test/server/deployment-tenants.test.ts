/**
 * Tenants of one `ferry serve` deployment (src/server/deployment.ts) that share a PIM, or whose
 * PIM is down, through the real API, schedulers and engine:
 * - alpha and beta sync into the same sandbox with the same Akeneo Connection: while alpha's
 *   scheduled run goes, a run of beta started from the Console waits its turn (its progress says
 *   "waiting for alpha's run #…"), then runs once alpha's has ended; a second beta run meanwhile
 *   is the usual conflict (409);
 * - solo's sandbox is stopped when the schedules of solo and alpha fire together: alpha's run
 *   succeeds in its usual time, solo's fails with the PIM named, and solo's webhook hears of it.
 * The schedulers are ticked by the test on a fake clock (the Console's `clock`), as their timers would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionConfig, loadDeployment } from '../../src/config/deployment.js';
import { createErpSource } from '../../src/erp/factory.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { createDeploymentConsole, type DeploymentConsole } from '../../src/server/deployment.js';
import type { ConsoleServer } from '../../src/server/app.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { sandboxPimConfig } from '../sync/support/e2e.js';
import { clientFor } from '../sync/support/pim.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-deployment-tenants-'));
const JULIA = { name: 'julia', password: 'julia-password-1' };
// 01:00 UTC; the nightly schedules fire at 02:00.
let now = Date.parse('2031-03-04T01:00:00Z');
let shared: RunningSandbox;
let own: RunningSandbox;
let dc: DeploymentConsole;
let base: string;
let session: Record<string, string>;
const hooks: { event: string; text: string }[] = [];
let receiver: Server;

const tenant = (sb: RunningSandbox, name: string) => ({
  pim: sandboxPimConfig(sb, { limits: { maxRetries: 0 } }),
  // One seed: alpha and beta write the same catalog into one PIM (two seeds would clash on codes).
  erp: { type: 'demo', path: `./${name}-erp.sqlite`, items: 60, seed: 7 },
  mapping: { preset: 'demo' },
  sync: { lockDir: join(dir, 'locks') },
});

beforeAll(async () => {
  [shared, own] = await Promise.all([startSandbox({ catalog: 'demo', latency: '40ms+4ms/line' }), startSandbox({ catalog: 'demo' })]);
  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      hooks.push(JSON.parse(raw) as { event: string; text: string });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const file = join(dir, 'ferry.yaml');
  writeFileSync(file, stringify({ connections: { alpha: tenant(shared, 'alpha'), beta: tenant(shared, 'beta'), solo: tenant(own, 'solo') } }));
  const deployment = (await loadDeployment(file))!;
  for (const src of [deployment.connections[0]!, deployment.connections[2]!]) {
    const config = connectionConfig(src);
    const client = clientFor(src.name === 'solo' ? own : shared);
    const source = createErpSource(config.erp);
    await bootstrapPim(client, config.mapping, source).finally(async () => {
      await source.close();
      await client.close();
    });
  }
  dc = await createDeploymentConsole({ deployment, logger: createLogger({ level: 'silent' }), publicUrl: 'http://console.test', clock: () => now });
  base = await dc.listen('127.0.0.1', 0);
  await dc.auth.addUser(JULIA.name, 'admin', JULIA.password);
  await signIn();
}, 180_000);

/** A session on the fake clock (moving it a day on ends the one before). */
async function signIn(): Promise<void> {
  const res = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: JULIA.name, password: JULIA.password }) });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  session = { cookie, 'x-csrf-token': ((await res.json()) as { csrfToken: string }).csrfToken };
}

afterAll(async () => {
  await dc?.close();
  await shared?.close();
  await own?.close();
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  rmSync(dir, { recursive: true, force: true });
});

async function api(path: string, connection: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}/api/v1${path}`, { ...init, headers: { ...session, 'x-ferry-connection': connection, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
}

const consoleOf = (name: string): ConsoleServer => dc.consoles.get(name)!;

async function run(connection: string, runId: number): Promise<{ status: string; startedAt: string; finishedAt: string | null; report: { error?: string; durationMs: number } | null }> {
  for (let i = 0; i < 1200; i++) {
    const res = await api(`/runs/${runId}`, connection);
    expect(res.status, `${connection} run #${runId}: ${await res.clone().text()}`).toBe(200);
    const r = (await res.json()) as { run: { status: string; startedAt: string; finishedAt: string | null }; report: { error?: string; durationMs: number } | null };
    if (r.run.status !== 'running') return { ...r.run, report: r.report };
    await new Promise((s) => setTimeout(s, 100));
  }
  throw new Error(`run #${runId} of ${connection} did not finish`);
}

function nightly(name: string): void {
  consoleOf(name).ctx.schedules.create({ name: 'nightly', spec: { kind: 'nightly', hour: 2, minute: 0 }, timezone: 'UTC', mode: 'delta', enabled: true });
}

describe('tenants of one deployment', () => {
  it("a run of beta waits for alpha's scheduled run on the same PIM connection, then runs", async () => {
    nightly('alpha');
    now = Date.parse('2031-03-04T02:00:20Z');
    const [fired] = await consoleOf('alpha').ctx.scheduler.tick();
    expect(fired).toMatchObject({ outcome: 'started' });
    const alphaRun = fired!.runId!;

    const started = await api('/runs', 'beta', { method: 'POST', body: JSON.stringify({ mode: 'full' }) });
    expect(started.status, await started.clone().text()).toBe(202);
    const { jobId, runId } = (await started.json()) as { jobId: string; runId: number | null };
    // Answered at once, unnumbered: the run has not started, it waits.
    expect(runId).toBeNull();
    const job = consoleOf('beta').ctx.manager.job(jobId)!;
    expect(job.last).toMatchObject({ phase: 'waiting', waitingFor: `alpha's run #${alphaRun}` });
    // beta twice: the usual conflict, no queue of duplicates.
    expect((await api('/runs', 'beta', { method: 'POST', body: JSON.stringify({ mode: 'delta' }) })).status).toBe(409);

    const alpha = await run('alpha', alphaRun);
    expect(alpha.status).toBe('succeeded');
    await consoleOf('beta').ctx.manager.idle();
    expect(job.state).toBe('finished');
    const beta = await run('beta', job.runId!);
    expect(beta.status).toBe('succeeded');
    expect(Date.parse(beta.startedAt)).toBeGreaterThanOrEqual(Date.parse(alpha.finishedAt!));
  }, 120_000);

  it("solo's PIM is down when solo's and alpha's schedules fire: alpha's run succeeds in its usual time, solo's fails and notifies", async () => {
    const channel = await api('/channels', 'solo', { method: 'POST', body: JSON.stringify({ type: 'webhook', name: 'ops', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` }) });
    expect(channel.status, await channel.clone().text()).toBe(201);
    const rule = await api('/rules', 'solo', { method: 'POST', body: JSON.stringify({ kind: 'run_failed', channelIds: [((await channel.json()) as { id: number }).id] }) });
    expect(rule.status, await rule.clone().text()).toBe(201);

    // alpha's usual time for a delta run on this sandbox, alone.
    const alone = (await (await api('/runs', 'alpha', { method: 'POST', body: JSON.stringify({ mode: 'delta' }) })).json()) as { runId: number };
    const usual = (await run('alpha', alone.runId)).report!.durationMs;

    nightly('solo');
    await own.close();
    now = Date.parse('2031-03-05T02:00:20Z');
    await signIn();
    const t0 = Date.now();
    const [[a], [s]] = await Promise.all([consoleOf('alpha').ctx.scheduler.tick(), consoleOf('solo').ctx.scheduler.tick()]);
    expect(a).toMatchObject({ outcome: 'started' });
    expect(s).toMatchObject({ outcome: 'started' });
    const [alpha, solo] = await Promise.all([run('alpha', a!.runId!), run('solo', s!.runId!)]);
    expect(alpha.status).toBe('succeeded');
    expect(solo.status).toBe('failed');
    expect(solo.report?.error).toMatch(new RegExp(own.url.replace(/[.]/g, '\\.').replace(/\//g, '\\/')));
    // Neither held the other up: alpha's run took about its usual time, and the whole within a few seconds of it.
    expect(alpha.report!.durationMs).toBeLessThan(usual * 3 + 2000);
    expect(Date.now() - t0).toBeLessThan(usual * 3 + 10_000);
    await consoleOf('solo').ctx.manager.idle();
    for (let i = 0; i < 100 && !hooks.some((h) => h.event === 'run_failed'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(hooks.filter((h) => h.event === 'run_failed')).toHaveLength(1);
    expect(hooks[0]!.text).toContain(`#${s!.runId}`);
  }, 120_000);
});
