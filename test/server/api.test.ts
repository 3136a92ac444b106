/**
 * The Console API through fastify's inject, over real pieces (sandbox PIM, demo ERP, the
 * engine, the state store): every endpoint answers its role and refuses the others, with the
 * refusals a browser or a script would meet (no session, wrong role, no CSRF token, bad input).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runsPageSchema, runDetailSchema, runRecordsPageSchema, scheduleSchema, type Role } from '../../src/server/api/contract.js';
import { createConsole } from '../../src/server/app.js';
import { ConnectionLocks } from '../../src/sync/connection-lock.js';
import { lockNameFor } from '../../src/sync/index.js';
import { tempDirs } from '../sync/support/e2e.js';
import { consoleStateKinds, editErp, rejectingEan, runThroughApi, signIn, silent, startTestConsole, type Session, type TestConsole } from './support.js';

const tempDir = tempDirs('ferry-console-api-');
const stateKinds = await consoleStateKinds();

interface Probe {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  role: Role | 'signedIn';
  body?: unknown;
}

/** Every endpoint under /api/v1 with the role it needs (the contract doc's table). */
const ENDPOINTS: Probe[] = [
  { method: 'GET', url: '/api/v1/me', role: 'signedIn' },
  { method: 'DELETE', url: '/api/v1/session', role: 'signedIn' },
  { method: 'GET', url: '/api/v1/dashboard', role: 'viewer' },
  { method: 'GET', url: '/api/v1/runs', role: 'viewer' },
  { method: 'POST', url: '/api/v1/runs', role: 'operator', body: { mode: 'delta', dryRun: true } },
  { method: 'GET', url: '/api/v1/runs/1', role: 'viewer' },
  { method: 'GET', url: '/api/v1/runs/1/records', role: 'viewer' },
  { method: 'GET', url: '/api/v1/runs/1/rejects.csv', role: 'viewer' },
  { method: 'POST', url: '/api/v1/runs/1/retry-rejected', role: 'operator', body: { dryRun: true } },
  { method: 'POST', url: '/api/v1/runs/1/cancel', role: 'operator' },
  { method: 'GET', url: '/api/v1/runs/1/events', role: 'viewer' },
  { method: 'GET', url: '/api/v1/jobs/job-00', role: 'viewer' },
  { method: 'GET', url: '/api/v1/erp/categories', role: 'viewer' },
  { method: 'GET', url: '/api/v1/schedules', role: 'viewer' },
  { method: 'POST', url: '/api/v1/schedules', role: 'operator', body: { name: 'x', spec: { kind: 'every15Minutes' } } },
  { method: 'PUT', url: '/api/v1/schedules/999', role: 'operator', body: { name: 'x', spec: { kind: 'every15Minutes' } } },
  { method: 'DELETE', url: '/api/v1/schedules/999', role: 'operator' },
  { method: 'POST', url: '/api/v1/schedules/preview', role: 'viewer', body: { spec: { kind: 'every15Minutes' } } },
  { method: 'GET', url: '/api/v1/schedules/999/occurrences', role: 'viewer' },
  { method: 'GET', url: '/api/v1/schedules/999/next', role: 'viewer' },
  { method: 'GET', url: '/api/v1/channels', role: 'admin' },
  { method: 'POST', url: '/api/v1/channels', role: 'admin', body: { type: 'slack', name: 's', url: 'https://hooks.slack.test/x' } },
  { method: 'PUT', url: '/api/v1/channels/999', role: 'admin', body: { type: 'slack', name: 's', url: 'https://hooks.slack.test/x' } },
  { method: 'DELETE', url: '/api/v1/channels/999', role: 'admin' },
  { method: 'POST', url: '/api/v1/channels/999/test', role: 'admin' },
  { method: 'GET', url: '/api/v1/channels/999/deliveries', role: 'admin' },
  { method: 'GET', url: '/api/v1/rules', role: 'admin' },
  { method: 'POST', url: '/api/v1/rules', role: 'admin', body: { kind: 'run_failed', channelIds: [999] } },
  { method: 'PUT', url: '/api/v1/rules/999', role: 'admin', body: { kind: 'run_failed', channelIds: [999] } },
  { method: 'DELETE', url: '/api/v1/rules/999', role: 'admin' },
  { method: 'GET', url: '/api/v1/users', role: 'admin' },
  { method: 'POST', url: '/api/v1/users', role: 'admin', body: { name: 'n', role: 'viewer', password: 'long-enough-1' } },
  { method: 'PUT', url: '/api/v1/users/999', role: 'admin', body: { role: 'viewer' } },
  { method: 'DELETE', url: '/api/v1/users/999', role: 'admin' },
  { method: 'GET', url: '/api/v1/audit', role: 'admin' },
  { method: 'GET', url: '/api/v1/tokens', role: 'signedIn' },
  { method: 'POST', url: '/api/v1/tokens', role: 'signedIn', body: { name: 't' } },
  { method: 'DELETE', url: '/api/v1/tokens/999', role: 'signedIn' },
];

const RANK = { viewer: 1, operator: 2, admin: 3 } as const;

describe.each(stateKinds)('Console API on a $name state', (kind) => {
  let tc: TestConsole;
  let firstRun: number;
  const inject = (o: { method: Probe['method']; url: string; session?: Session | null; csrf?: boolean; payload?: unknown; headers?: Record<string, string> }) =>
    tc.server.app.inject({
      method: o.method,
      url: o.url,
      headers: {
        ...(o.session ? (o.csrf === false ? { cookie: o.session.cookie } : o.session.headers) : {}),
        ...o.headers,
      },
      ...(o.payload !== undefined ? { payload: o.payload as Record<string, unknown> } : {}),
    });

  beforeAll(async () => {
    // A little latency per request so a run lasts long enough to meet a second one (409).
    tc = await startTestConsole(tempDir(), { sandbox: { latency: '10ms+5ms/line' }, state: kind });
    const first = await runThroughApi(tc, { mode: 'full' });
    firstRun = first.runId!;
  });
  afterAll(async () => tc?.close());

  it('refuses every endpoint without a session (401), with too small a role (403), and writes without the CSRF token (403)', async () => {
    for (const p of ENDPOINTS) {
      const anonymous = await inject({ method: p.method, url: p.url, payload: p.body });
      expect(anonymous.statusCode, `${p.method} ${p.url} anonymous`).toBe(401);
      expect(anonymous.json()).toMatchObject({ error: { code: 'unauthorized' } });
      for (const role of ['viewer', 'operator'] as const) {
        if (p.role === 'signedIn' || RANK[role] >= RANK[p.role]) continue;
        const res = await inject({ method: p.method, url: p.url, session: tc.as[role], payload: p.body });
        expect(res.statusCode, `${p.method} ${p.url} as ${role}`).toBe(403);
        expect(res.json()).toMatchObject({ error: { code: 'forbidden' } });
      }
      if (p.method !== 'GET') {
        const noCsrf = await inject({ method: p.method, url: p.url, session: tc.as.admin, csrf: false, payload: p.body });
        expect(noCsrf.statusCode, `${p.method} ${p.url} without CSRF`).toBe(403);
        expect(noCsrf.json()).toMatchObject({ error: { code: 'csrf' } });
        const wrong = await inject({ method: p.method, url: p.url, session: tc.as.admin, csrf: false, headers: { 'x-csrf-token': 'nope' }, payload: p.body });
        expect(wrong.statusCode).toBe(403);
      }
    }
  });

  it('answers bad input with 400 naming the field', async () => {
    const cases: [Probe['method'], string, unknown, string][] = [
      ['POST', '/api/v1/runs', { mode: 'keys' }, 'body.keys'],
      ['POST', '/api/v1/runs', { mode: 'since', since: 'yesterday' }, 'body.since'],
      ['POST', '/api/v1/runs', { mode: 'sideways' }, 'body.mode'],
      ['GET', '/api/v1/runs?pageSize=100000', undefined, 'query.pageSize'],
      ['GET', '/api/v1/runs?status=great', undefined, 'query.status'],
      ['GET', '/api/v1/runs/abc', undefined, 'params.id'],
      ['POST', '/api/v1/schedules', { name: 'x', spec: { kind: 'nightly', hour: 25 } }, 'body.spec.hour'],
      ['POST', '/api/v1/schedules', { name: 'x', spec: { kind: 'nightly', hour: 2 }, timezone: 'Mars/Olympus' }, 'body.timezone'],
      ['POST', '/api/v1/schedules', { name: 'x', spec: { kind: 'cron', expression: '61 * * * *' } }, 'body.spec.expression'],
      ['POST', '/api/v1/users', { name: 'ok', role: 'viewer', password: 'short' }, 'body.password'],
      ['POST', '/api/v1/users', { name: 'ok', role: 'boss', password: 'long-enough-1' }, 'body.role'],
      ['POST', '/api/v1/channels', { type: 'email', name: 'm', host: 'smtp.test', from: 'not-an-address', to: ['a@b.test'] }, 'body.from'],
      ['POST', '/api/v1/channels', { type: 'webhook', name: 'w', url: 'ftp://x.test/' }, 'body.url'],
      ['POST', '/api/v1/rules', { kind: 'rejects_count', channelIds: [1] }, 'body.threshold'],
      ['POST', '/api/v1/session', { username: 'admin' }, 'body.password'],
    ];
    for (const [method, url, payload, field] of cases) {
      const res = await inject({ method, url, session: tc.as.admin, payload });
      expect(res.statusCode, `${method} ${url} ${JSON.stringify(payload)}: ${res.body}`).toBe(400);
      const body = res.json() as { error: { code: string; field: string; message: string } };
      expect(body.error.code).toBe('bad_request');
      expect(body.error.field, res.body).toBe(field);
      expect(body.error.message).toContain(field);
    }
  });

  it('signs in, tells who is signed in, signs out; a wrong password is 401', async () => {
    const wrong = await tc.server.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'viewer', password: 'guess' } });
    expect(wrong.statusCode).toBe(401);
    const nobody = await tc.server.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'nobody', password: 'guess' } });
    expect(nobody.statusCode).toBe(401);
    expect(nobody.json()).toEqual(wrong.json());
    const s = await signIn(tc.server, 'viewer', 'viewer-password-1');
    const me = await inject({ method: 'GET', url: '/api/v1/me', session: s });
    expect(me.json()).toEqual({ user: { id: expect.any(Number), name: 'viewer', role: 'viewer' }, csrfToken: s.csrf, demo: false });
    const out = await inject({ method: 'DELETE', url: '/api/v1/session', session: s });
    expect(out.statusCode).toBe(204);
    expect((await inject({ method: 'GET', url: '/api/v1/me', session: s })).statusCode).toBe(401);
  });

  it('lists runs (filters, pages), shows a run and pages its records with filters and PIM links', async () => {
    await runThroughApi(tc, { mode: 'delta' });
    const list = await inject({ method: 'GET', url: '/api/v1/runs?pageSize=1', session: tc.as.viewer });
    const page = runsPageSchema.parse(list.json());
    expect(page.total).toBeGreaterThanOrEqual(2);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]!.mode).toBe('delta');
    expect(page.items[0]!.startedBy).toBe('user:operator');
    const full = runsPageSchema.parse((await inject({ method: 'GET', url: '/api/v1/runs?mode=full&status=succeeded', session: tc.as.viewer })).json());
    expect(full.items.map((r) => r.id)).toContain(firstRun);
    expect(full.items.every((r) => r.mode === 'full' && r.status === 'succeeded')).toBe(true);

    const detail = runDetailSchema.parse((await inject({ method: 'GET', url: `/api/v1/runs/${firstRun}`, session: tc.as.viewer })).json());
    expect(detail.report?.counts.created).toBeGreaterThan(50);
    expect(detail.pimUrl).toBe(tc.sb.url);
    expect((await inject({ method: 'GET', url: '/api/v1/runs/99999', session: tc.as.viewer })).statusCode).toBe(404);

    const records = runRecordsPageSchema.parse((await inject({ method: 'GET', url: `/api/v1/runs/${firstRun}/records?outcome=created&pageSize=10&page=2`, session: tc.as.viewer })).json());
    expect(records.items).toHaveLength(10);
    expect(records.total).toBe(detail.report!.counts.created);
    const product = runRecordsPageSchema.parse((await inject({ method: 'GET', url: `/api/v1/runs/${firstRun}/records?q=${encodeURIComponent(records.items.find((r) => r.entityType === 'product')?.key ?? 'x')}`, session: tc.as.viewer })).json());
    const anyProduct = product.items.find((r) => r.entityType === 'product') ?? (await firstProductRecord());
    expect(anyProduct.pimLink).toMatch(new RegExp(`^${tc.sb.url}/#/enrich/product/[0-9a-f-]{36}$`));
    const none = runRecordsPageSchema.parse((await inject({ method: 'GET', url: `/api/v1/runs/${firstRun}/records?q=no-such-key-%25`, session: tc.as.viewer })).json());
    expect(none.total).toBe(0);
  });

  async function firstProductRecord() {
    const all = runRecordsPageSchema.parse((await inject({ method: 'GET', url: `/api/v1/runs/${firstRun}/records?pageSize=500`, session: tc.as.viewer })).json());
    return all.items.find((r) => r.entityType === 'product')!;
  }

  it('streams a finished run as progress then done (SSE), by run id and by job id', async () => {
    const started = await runThroughApi(tc, { mode: 'delta' });
    for (const id of [String(started.runId), started.jobId]) {
      const res = await inject({ method: 'GET', url: `/api/v1/runs/${id}/events`, session: tc.as.viewer });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/event-stream');
      const events = res.body.split('\n\n').filter(Boolean).map((block) => ({ event: /event: (\w+)/.exec(block)?.[1], data: JSON.parse(/data: (.*)/.exec(block)![1]!) as Record<string, unknown> }));
      expect(events.at(-1)).toMatchObject({ event: 'done', data: { runId: started.runId, status: 'succeeded' } });
      expect(events[0]!.event).toBe('progress');
    }
    // A run the Console did not start (here: the first one, from the history) is read from the state.
    const old = await inject({ method: 'GET', url: `/api/v1/runs/${firstRun}/events`, session: tc.as.viewer });
    expect(old.body).toContain('event: done');
    expect((await inject({ method: 'GET', url: '/api/v1/runs/job-ffff/events', session: tc.as.viewer })).statusCode).toBe(404);
  });

  it('a dry run keeps its plan on the job and writes no history; a second run while one goes is 409', async () => {
    const before = runsPageSchema.parse((await inject({ method: 'GET', url: '/api/v1/runs', session: tc.as.viewer })).json()).total;
    const started = await runThroughApi(tc, { mode: 'full', dryRun: true });
    expect(started.runId).toBeNull();
    const job = (await inject({ method: 'GET', url: `/api/v1/jobs/${started.jobId}`, session: tc.as.viewer })).json() as { state: string; report: { dryRun: boolean; plan: unknown } };
    expect(job.state).toBe('finished');
    expect(job.report.dryRun).toBe(true);
    expect(job.report.plan).toBeTruthy();
    expect(runsPageSchema.parse((await inject({ method: 'GET', url: '/api/v1/runs', session: tc.as.viewer })).json()).total).toBe(before);

    // Every item changed: the run has writes to send (slowed by the sandbox's per-line latency).
    editErp(tc.config, "UPDATE items SET name_en = name_en || ' (new)', updated_at = '2031-01-01 00:00:00'");
    const first = await inject({ method: 'POST', url: '/api/v1/runs', session: tc.as.operator, payload: { mode: 'full' } });
    expect(first.statusCode).toBe(202);
    const second = await inject({ method: 'POST', url: '/api/v1/runs', session: tc.as.operator, payload: { mode: 'delta' } });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ error: { code: 'conflict' } });
    await tc.server.ctx.manager.idle();
  });

  it("refuses a run (409) while a terminal's sync holds the connection lock", async () => {
    const locks = new ConnectionLocks(tc.config.sync.lockDir);
    const name = lockNameFor(tc.config.pim);
    const owner = `${hostname()}:1:terminal`; // pid 1 is alive: a live process on this host
    await locks.acquireLock(name, owner, 60_000);
    try {
      const res = await inject({ method: 'POST', url: '/api/v1/runs', session: tc.as.operator, payload: { mode: 'delta' } });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ error: { code: 'conflict', message: expect.stringContaining(owner) } });
      expect(tc.server.ctx.manager.lockedElsewhere()).toContain(owner);
    } finally {
      await locks.releaseLock(name, owner);
      await locks.close();
    }
    expect(tc.server.ctx.manager.lockedElsewhere()).toBeNull();
  });

  it('gives the ERP category tree for the picker, and a dashboard with last run, schedule and reachability', async () => {
    const cats = (await inject({ method: 'GET', url: '/api/v1/erp/categories', session: tc.as.viewer })).json() as { items: { key: string; label: string; parent: string | null }[] };
    expect(cats.items.length).toBeGreaterThan(3);
    expect(cats.items.some((c) => c.parent !== null && cats.items.some((p) => p.key === c.parent))).toBe(true);
    const dash = (await inject({ method: 'GET', url: '/api/v1/dashboard', session: tc.as.viewer })).json() as { connections: { lastRun: { id: number }; pim: { reachable: boolean }; erp: { reachable: boolean }; chart: unknown[] }[] };
    const c = dash.connections[0]!;
    expect(c.lastRun.id).toBeGreaterThanOrEqual(firstRun);
    expect(c.chart.length).toBeGreaterThanOrEqual(2);
    expect(c.pim.reachable).toBe(true);
    expect(c.erp.reachable).toBe(true);
  });

  it('schedules: create with next five fire times, preview, change, disable, occurrences, delete', async () => {
    const created = await inject({ method: 'POST', url: '/api/v1/schedules', session: tc.as.operator, payload: { name: 'Nightly', spec: { kind: 'nightly', hour: 2 }, timezone: 'Europe/Paris' } });
    expect(created.statusCode, created.body).toBe(201);
    const s = scheduleSchema.parse(created.json());
    expect(s.cron).toBe('0 2 * * *');
    expect(s.nextRuns).toHaveLength(5);
    for (const at of s.nextRuns) expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(new Date(at))).toBe('02:00');
    const preview = await inject({ method: 'POST', url: '/api/v1/schedules/preview', session: tc.as.viewer, payload: { spec: { kind: 'everyHours', hours: 6 }, timezone: 'UTC' } });
    expect(preview.json()).toMatchObject({ cron: '0 */6 * * *' });
    // The form may ask for more than five: the next N, six hours apart.
    const ten = (await inject({ method: 'POST', url: '/api/v1/schedules/preview', session: tc.as.viewer, payload: { spec: { kind: 'everyHours', hours: 6 }, timezone: 'UTC', count: 10 } })).json() as { nextRuns: string[] };
    expect(ten.nextRuns).toHaveLength(10);
    expect(Date.parse(ten.nextRuns[9]!) - Date.parse(ten.nextRuns[8]!)).toBe(6 * 3_600_000);
    const tooMany = await inject({ method: 'POST', url: '/api/v1/schedules/preview', session: tc.as.viewer, payload: { spec: { kind: 'everyHours', hours: 6 }, count: 51 } });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()).toMatchObject({ error: { field: 'body.count' } });
    const saved = (await inject({ method: 'GET', url: `/api/v1/schedules/${s.id}/next?count=20`, session: tc.as.viewer })).json() as { cron: string; nextRuns: string[] };
    expect(saved.cron).toBe('0 2 * * *');
    expect(saved.nextRuns).toHaveLength(20);
    expect(saved.nextRuns.slice(0, 5)).toEqual(s.nextRuns);
    const off = await inject({ method: 'PUT', url: `/api/v1/schedules/${s.id}`, session: tc.as.operator, payload: { name: 'Nightly', spec: { kind: 'nightly', hour: 2 }, timezone: 'Europe/Paris', enabled: false } });
    expect(off.json()).toMatchObject({ enabled: false, nextRuns: [] });
    const list = (await inject({ method: 'GET', url: '/api/v1/schedules', session: tc.as.viewer })).json() as { items: { id: number }[] };
    expect(list.items.map((i) => i.id)).toContain(s.id);
    const occ = await inject({ method: 'GET', url: `/api/v1/schedules/${s.id}/occurrences`, session: tc.as.viewer });
    expect(occ.json()).toMatchObject({ items: [], total: 0 });
    expect((await inject({ method: 'DELETE', url: `/api/v1/schedules/${s.id}`, session: tc.as.operator })).statusCode).toBe(204);
    expect((await inject({ method: 'DELETE', url: `/api/v1/schedules/${s.id}`, session: tc.as.operator })).statusCode).toBe(404);
  });

  it('channels and rules: secrets go in and never come out; a rule needs existing channels', async () => {
    const hook = await inject({ method: 'POST', url: '/api/v1/channels', session: tc.as.admin, payload: { type: 'webhook', name: 'CI', url: 'http://127.0.0.1:9/hook' } });
    expect(hook.statusCode, hook.body).toBe(201);
    const created = hook.json() as { id: number; secretOnce: string; hasSecret: boolean };
    expect(created.secretOnce).toHaveLength(32);
    expect(created.hasSecret).toBe(true);
    const slackUrl = 'https://hooks.slack.test/services/T000/B000/very-secret-part';
    const slack = await inject({ method: 'POST', url: '/api/v1/channels', session: tc.as.admin, payload: { type: 'slack', name: 'Team', url: slackUrl } });
    expect(slack.body).not.toContain('very-secret-part');
    expect(slack.json()).toMatchObject({ target: 'hooks.slack.test', hasSecret: true, secretOnce: null });
    const mail = await inject({ method: 'POST', url: '/api/v1/channels', session: tc.as.admin, payload: { type: 'email', name: 'Mail', host: 'smtp.test', username: 'u', password: 'smtp-pass-secret', from: 'ferry@shop.test', to: ['julia@shop.test'] } });
    expect(mail.statusCode).toBe(201);
    const mailId = (mail.json() as { id: number }).id;
    // An update without the password keeps it.
    const renamed = await inject({ method: 'PUT', url: `/api/v1/channels/${mailId}`, session: tc.as.admin, payload: { type: 'email', name: 'Mail 2', host: 'smtp.test', username: 'u', from: 'ferry@shop.test', to: ['julia@shop.test'] } });
    expect(renamed.json()).toMatchObject({ name: 'Mail 2', hasSecret: true });
    const all = await inject({ method: 'GET', url: '/api/v1/channels', session: tc.as.admin });
    for (const secret of [created.secretOnce, 'very-secret-part', 'smtp-pass-secret']) expect(all.body).not.toContain(secret);
    // Slack without a URL on create is refused, naming the field.
    const noUrl = await inject({ method: 'POST', url: '/api/v1/channels', session: tc.as.admin, payload: { type: 'teams', name: 'T' } });
    expect(noUrl.json()).toMatchObject({ error: { code: 'bad_request', field: 'body.url' } });

    const badRule = await inject({ method: 'POST', url: '/api/v1/rules', session: tc.as.admin, payload: { kind: 'run_failed', channelIds: [4242] } });
    expect(badRule.json()).toMatchObject({ error: { field: 'body.channelIds' } });
    const rule = await inject({ method: 'POST', url: '/api/v1/rules', session: tc.as.admin, payload: { kind: 'rejects_percent', threshold: 5, channelIds: [created.id] } });
    expect(rule.json()).toMatchObject({ kind: 'rejects_percent', threshold: 5, description: 'a run rejects 5 % of the records it read or more' });
    const ruleId = (rule.json() as { id: number }).id;
    expect((await inject({ method: 'PUT', url: `/api/v1/rules/${ruleId}`, session: tc.as.admin, payload: { kind: 'run_failed', channelIds: [created.id], enabled: false } })).json()).toMatchObject({ enabled: false });
    expect(((await inject({ method: 'GET', url: '/api/v1/rules', session: tc.as.admin })).json() as { items: unknown[] }).items).toHaveLength(1);
    // The test send to a closed port fails, is retried, and the failure is on the channel.
    const test = await inject({ method: 'POST', url: `/api/v1/channels/${created.id}/test`, session: tc.as.admin });
    expect(test.json()).toMatchObject({ ok: false, attempts: 3 });
    const deliveries = await inject({ method: 'GET', url: `/api/v1/channels/${created.id}/deliveries`, session: tc.as.admin });
    expect(deliveries.json()).toMatchObject({ total: 1, items: [{ event: 'test', ok: false, attempts: 3 }] });
    expect((await inject({ method: 'DELETE', url: `/api/v1/rules/${ruleId}`, session: tc.as.admin })).statusCode).toBe(204);
    expect((await inject({ method: 'DELETE', url: `/api/v1/channels/${created.id}`, session: tc.as.admin })).statusCode).toBe(204);
  });

  it('users: admin adds, changes and removes accounts; the last admin stays; all of it is in the audit log', async () => {
    const add = await inject({ method: 'POST', url: '/api/v1/users', session: tc.as.admin, payload: { name: 'julia', role: 'operator', password: 'julia-password-1' } });
    expect(add.statusCode).toBe(201);
    expect(add.body).not.toContain('julia-password-1');
    expect(add.body).not.toContain('argon2');
    const id = (add.json() as { id: number }).id;
    expect((await inject({ method: 'POST', url: '/api/v1/users', session: tc.as.admin, payload: { name: 'JULIA', role: 'viewer', password: 'julia-password-1' } })).statusCode).toBe(409);
    const julia = await signIn(tc.server, 'julia', 'julia-password-1');
    expect((await inject({ method: 'PUT', url: `/api/v1/users/${id}`, session: tc.as.admin, payload: { role: 'viewer' } })).json()).toMatchObject({ role: 'viewer' });
    // The role change applies to her live session at once.
    expect((await inject({ method: 'POST', url: '/api/v1/runs', session: julia, payload: { mode: 'delta', dryRun: true } })).statusCode).toBe(403);
    await inject({ method: 'PUT', url: `/api/v1/users/${id}`, session: tc.as.admin, payload: { disabled: true } });
    expect((await inject({ method: 'GET', url: '/api/v1/me', session: julia })).statusCode).toBe(401);
    const adminId = tc.server.ctx.auth.findUserByName('admin')!.id;
    expect((await inject({ method: 'PUT', url: `/api/v1/users/${adminId}`, session: tc.as.admin, payload: { role: 'viewer' } })).statusCode).toBe(409);
    expect((await inject({ method: 'DELETE', url: `/api/v1/users/${adminId}`, session: tc.as.admin })).statusCode).toBe(409);
    expect((await inject({ method: 'DELETE', url: `/api/v1/users/${id}`, session: tc.as.admin })).statusCode).toBe(204);
    const users = (await inject({ method: 'GET', url: '/api/v1/users', session: tc.as.admin })).json() as { items: { name: string }[] };
    expect(users.items.map((u) => u.name)).not.toContain('julia');
    const audit = (await inject({ method: 'GET', url: '/api/v1/audit?pageSize=200', session: tc.as.admin })).json() as { items: { actor: string; action: string; target: string }[] };
    const actions = audit.items.map((a) => `${a.actor} ${a.action} ${a.target}`);
    expect(actions).toContain('user:admin user.create user:julia');
    expect(actions).toContain('user:admin user.delete user:julia');
    expect(actions.some((a) => /^user:operator run\.start run#\d+$/.test(a))).toBe(true);
    const onlyLogins = (await inject({ method: 'GET', url: '/api/v1/audit?action=login', session: tc.as.admin })).json() as { items: { action: string }[] };
    expect(onlyLogins.items.every((a) => a.action === 'login')).toBe(true);
  });

  it('API tokens: shown once, stored hashed, start runs with Bearer and no CSRF; a viewer token cannot; revoked is 401', async () => {
    const created = await inject({ method: 'POST', url: '/api/v1/tokens', session: tc.as.operator, payload: { name: 'ci' } });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json() as { token: string; id: number };
    expect(token).toMatch(/^fry_/);
    const stored = tc.server.ctx.db.prepare('SELECT token_hash FROM console_api_tokens WHERE id = ?').get(id) as { token_hash: string };
    expect(stored.token_hash).not.toContain(token.slice(4));
    const list = await inject({ method: 'GET', url: '/api/v1/tokens', session: tc.as.operator });
    expect(list.body).not.toContain(token);
    const bearer = { authorization: `Bearer ${token}` };
    const run = await inject({ method: 'POST', url: '/api/v1/runs', headers: bearer, payload: { mode: 'delta' } });
    expect(run.statusCode, run.body).toBe(202);
    await tc.server.ctx.manager.idle();
    const runId = (run.json() as { runId: number }).runId;
    expect((await inject({ method: 'GET', url: `/api/v1/runs/${runId}`, headers: bearer })).json()).toMatchObject({ run: { startedBy: 'token:ci (operator)' } });
    const viewerToken = ((await inject({ method: 'POST', url: '/api/v1/tokens', session: tc.as.viewer, payload: { name: 'ro' } })).json() as { token: string }).token;
    expect((await inject({ method: 'POST', url: '/api/v1/runs', headers: { authorization: `Bearer ${viewerToken}` }, payload: { mode: 'delta' } })).statusCode).toBe(403);
    expect((await inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, session: tc.as.viewer })).statusCode).toBe(404);
    expect((await inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, session: tc.as.operator })).statusCode).toBe(204);
    expect((await inject({ method: 'GET', url: '/api/v1/runs', headers: bearer })).statusCode).toBe(401);
  });

  it('health, readiness, metrics and the OpenAPI document of every endpoint', async () => {
    expect((await inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ ok: true });
    const ready = await inject({ method: 'GET', url: '/readyz' });
    // Background work is not started in this test: not ready.
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ ready: false, checks: { state: true, config: true, scheduler: false } });
    const metrics = await inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(/ferry_runs\{status="succeeded"\} \d+/);
    expect(metrics.body).toMatch(/ferry_run_records\{outcome="created"\} \d+/);
    expect(metrics.body).toMatch(/ferry_run_records\{outcome="disabled"\} \d+/);
    expect(metrics.body).toMatch(/ferry_pim_request_duration_seconds_count\{method="GET",route="[^"]+",status="200"\} \d+/);
    expect(metrics.body).toContain('ferry_pim_throttled_total');
    expect(metrics.body).toContain('ferry_pim_concurrency_limit');
    expect(metrics.body).toContain('ferry_schedule_lag_seconds');
    const doc = (await inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    for (const p of ENDPOINTS) {
      const path = p.url.replace(/\/(\d+|job-00)(?=\/|$)/g, (_m, id: string) => (id.startsWith('job') ? '/{jobId}' : '/{id}'));
      expect(doc.paths[path]?.[p.method.toLowerCase()], `${p.method} ${path} in OpenAPI`).toBeTruthy();
    }
    expect(doc.paths['/api/v1/session']?.post).toBeTruthy();
    expect(JSON.stringify(doc)).not.toContain(tc.sb.secret);
  });

  it('never answers a PIM secret or password', async () => {
    const pages = ['/api/v1/dashboard', `/api/v1/runs/${firstRun}`, '/api/v1/runs', '/api/v1/schedules', '/api/v1/channels', '/api/v1/users', '/api/v1/audit?pageSize=500'];
    for (const url of pages) {
      const res = await inject({ method: 'GET', url, session: tc.as.admin });
      expect(res.statusCode).toBe(200);
      for (const secret of [tc.sb.secret, `"${tc.sb.password}"`, 'admin-password-1', '$argon2']) expect(res.body, `${url} has ${secret}`).not.toContain(secret);
    }
  });

  it('rate-limits sign-in attempts (429)', async () => {
    let last = 0;
    for (let i = 0; i < 12; i++) last = (await tc.server.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'admin', password: 'wrong' } })).statusCode;
    expect(last).toBe(429);
  });
});

describe.each(stateKinds)('Console API on a $name state: rejects, CSV, retry after fixing the ERP', (kind) => {
  let tc: TestConsole;
  beforeAll(async () => {
    tc = await startTestConsole(tempDir(), { mapping: rejectingEan, state: kind });
  });
  afterAll(async () => tc?.close());

  it('shows rejects per record with the fix, downloads them as CSV, and retries exactly them', async () => {
    const { runId } = await runThroughApi(tc, { mode: 'full' });
    const run = (await tc.server.app.inject({ method: 'GET', url: `/api/v1/runs/${runId}`, headers: tc.as.viewer.headers })).json() as { run: { status: string; counts: { rejected: number } } };
    expect(run.run.status).toBe('rejects');
    const rejected = run.run.counts.rejected;
    expect(rejected).toBeGreaterThan(0);
    const page = runRecordsPageSchema.parse((await tc.server.app.inject({ method: 'GET', url: `/api/v1/runs/${runId}/records?outcome=rejected&pageSize=500`, headers: tc.as.viewer.headers })).json());
    expect(page.total).toBe(rejected);
    expect(page.items[0]!.rejects[0]!.message).toMatch(/ean/i);
    const csv = await tc.server.app.inject({ method: 'GET', url: `/api/v1/runs/${runId}/rejects.csv`, headers: tc.as.viewer.headers });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toContain(`ferry-run-${runId}-rejects.csv`);
    expect(csv.body.split('\r\n')[0]).toBe('run,type,record,erp_stream,erp_key,attribute,locale,channel,problem,how_to_fix,payload');
    expect(csv.body.trim().split('\r\n')).toHaveLength(rejected + 1);

    // Fix the ERP (no EAN on those items), then retry: exactly the rejected keys are read.
    editErp(tc.config, "UPDATE items SET ean = NULL, updated_at = '2030-01-01 00:00:00' WHERE ean IS NOT NULL");
    const retry = await tc.server.app.inject({ method: 'POST', url: `/api/v1/runs/${runId}/retry-rejected`, headers: tc.as.operator.headers, payload: {} });
    expect(retry.statusCode, retry.body).toBe(202);
    await tc.server.ctx.manager.idle();
    const retryId = (retry.json() as { runId: number }).runId;
    const after = (await tc.server.app.inject({ method: 'GET', url: `/api/v1/runs/${retryId}`, headers: tc.as.viewer.headers })).json() as { run: { mode: string; status: string }; options: { keys: string[] }; report: { counts: { rejected: number; updated: number; created: number } } };
    expect(after.run.mode).toBe('keys');
    expect(after.run.status).toBe('succeeded');
    expect(after.options.keys.length).toBe(page.items.filter((r) => r.stream === 'items').length);
    expect(after.report.counts.rejected).toBe(0);
    expect(after.report.counts.created + after.report.counts.updated).toBeGreaterThan(0);
    // Nothing left to retry in a run without rejects.
    expect((await tc.server.app.inject({ method: 'POST', url: `/api/v1/runs/${retryId}/retry-rejected`, headers: tc.as.operator.headers, payload: {} })).statusCode).toBe(409);
  });
});

describe('ferry serve static files', () => {
  it('serves the built web app with SPA fallback, or a page saying to build it; CSP and no anonymous API', async () => {
    const dir = tempDir();
    const web = join(dir, 'web');
    mkdirSync(web);
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>Console</title><div id="root"></div>');
    const config = (await import('../../src/config/schema.js')).ferryConfigSchema.parse({
      pim: { url: 'http://127.0.0.1:9', clientId: 'x', secret: 'pim-secret-value', username: 'u', password: 'pim-password-value' },
      erp: { type: 'demo', path: join(dir, 'erp.sqlite'), items: 5 },
      state: { path: join(dir, 'ferry.db') },
    });
    const withWeb = await createConsole({ config, logger: silent, webRoot: web });
    try {
      const root = await withWeb.app.inject({ method: 'GET', url: '/' });
      expect(root.body).toContain('<div id="root">');
      expect(root.headers['content-security-policy']).toContain("script-src 'self'");
      expect(root.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect((await withWeb.app.inject({ method: 'GET', url: '/runs/12' })).body).toContain('<div id="root">');
      expect((await withWeb.app.inject({ method: 'GET', url: '/api/v1/nope' })).statusCode).toBe(404);
    } finally {
      await withWeb.close();
    }
    const bare = await createConsole({ config, logger: silent, webRoot: join(dir, 'missing') });
    try {
      const page = await bare.app.inject({ method: 'GET', url: '/' });
      expect(page.body).toContain('npm run build');
      expect((await bare.app.inject({ method: 'GET', url: '/api/v1/runs' })).statusCode).toBe(401);
    } finally {
      await bare.close();
    }
  });
});
