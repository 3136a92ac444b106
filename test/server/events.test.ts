/**
 * Akeneo events → exports, for real: the sandbox sends signed events (Events API and Event
 * Platform) over HTTP to a listening `ferry serve` (the Console app), written by two API users:
 * julia (a person) and admin (Ferry's own connection). The Console runs the real export
 * (runExport, files sink), which writes the status back through Ferry's connection: those
 * events must trigger nothing. The keys of each export are recorded on the way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAkeneoClient, type AkeneoClient } from '../../src/akeneo/index.js';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { signDelivery, signPlatformDelivery } from '../../src/sandbox/events.js';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { createConsole, type ConsoleServer } from '../../src/server/app.js';
import { runExport } from '../../src/app/run-export.js';
import { prepareJuliasPim } from '../sync/export/support.js';
import { sandboxPimConfig } from '../sync/support/e2e.js';
import type { ExportOverview } from '../../src/server/api/contract.js';
import { signIn, silent } from './support.js';

const SECRET = 'events-secret-8842';
const JULIA = { username: 'julia', password: 'julia-password-1' };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function clientAs(sb: RunningSandbox, user: { username: string; password: string }): AkeneoClient {
  return createAkeneoClient({
    url: sb.url,
    auth: { kind: 'connection', clientId: sb.clientId, secret: sb.secret, username: user.username, password: user.password },
    // Identifier endpoints: an upsert by identifier updates the product (uuid endpoints would create another).
    endpoints: 'identifier',
    backoffBaseMs: 20,
    timeoutMs: 3000,
  });
}

const status = (code: string) => ({ erp_status: [{ locale: null, scope: null, data: code }] });
/** Julia's writes, failing the test on a refused line (upsertMany reports lines, never throws). */
async function write(client: AkeneoClient, products: Record<string, unknown>[]): Promise<void> {
  const results = await client.products.upsertMany(products as never);
  const refused = results.filter((x) => x.status >= 300);
  expect(refused, JSON.stringify(refused)).toEqual([]);
}
const uuidOf = async (client: AkeneoClient, identifier: string) => String((await client.products.get(identifier)).uuid);
const erpStatusOf = async (client: AkeneoClient, identifier: string) => ((await client.products.get(identifier)).values?.['erp_status'] as { data: string }[] | undefined)?.[0]?.data;
const title = (text: string) => ({ marketing_title: [{ locale: 'en_US', scope: null, data: text }] });

interface Rig {
  sb: RunningSandbox;
  server: ConsoleServer;
  url: string;
  julia: AkeneoClient;
  ferry: AkeneoClient;
  exports: (string[] | 'all waiting')[];
  /** When each export started (ms epoch). */
  exportStarts: number[];
  /** Waits until the sandbox delivered everything and the Console settled and ran its exports. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

async function rig(sandbox: Partial<SandboxOptions> = {}, debounceSeconds = 0.3, extraFields: Record<string, unknown> = {}): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-events-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const sb = await startSandbox({ catalog: 'demo', users: [JULIA], eventsUrl: `${url}/api/v1/events/akeneo`, eventsSecret: SECRET, eventsBatchMs: 10, ...sandbox });
  const ferry = clientAs(sb, { username: sb.username, password: sb.password });
  const julia = clientAs(sb, JULIA);
  const config = ferryConfigSchema.parse({
    pim: sandboxPimConfig(sb),
    erp: { type: 'files', folder: join(dir, 'drop'), outFolder: join(dir, 'out'), sinkFormat: 'csv' },
    state: { path: join(dir, 'ferry.db') },
    export: { updates: 'owned', fields: { name: { attribute: 'marketing_title', locale: 'en_US' }, ...extraFields } },
    events: { secret: SECRET, platformSecret: SECRET, debounceSeconds },
  });
  // The status attributes (erp_status, erp_message, erp_id) and a family, as `ferry pim bootstrap` makes them.
  await prepareJuliasPim(ferry, config.export!);
  const exports: (string[] | 'all waiting')[] = [];
  const exportStarts: number[] = [];
  const recordingExport: typeof runExport = async (c, o) => {
    exports.push(o?.keys ? [...o.keys].sort() : 'all waiting');
    exportStarts.push(Date.now());
    return runExport(c, o);
  };
  const server = await createConsole({ config, logger: silent, runExport: recordingExport });
  await server.app.listen({ host: '127.0.0.1', port });
  const settle = async () => {
    const within = async (what: string, p: Promise<void>) => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([p, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle: ${JSON.stringify({ sandbox: sb.events!.stats(), console: server.ctx.events!.stats })}`)), 5000)))]);
      clearTimeout(timer);
    };
    for (let i = 0; i < 5; i++) {
      await within('the sandbox deliveries', sb.events!.drain());
      await within('the events intake', server.ctx.events!.idle());
      await within('the export runs', server.ctx.manager.idle());
    }
  };
  return {
    sb,
    server,
    url,
    julia,
    ferry,
    exports,
    exportStarts,
    settle,
    async close() {
      await julia.close();
      await ferry.close();
      await server.close();
      await sb.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let current: Rig | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

describe('Akeneo events trigger exports', () => {
  it('a tagged product written by a person is exported alone; Ferry\'s own status write-back triggers nothing', async () => {
    const r = (current = await rig());
    const wroteAt = Date.now();
    await write(r.julia, [
      { identifier: 'EV-1', family: 'tshirts', values: { ...title('Tagged'), ...status('to_export') } },
      { identifier: 'EV-2', family: 'tshirts', values: title('Not tagged') },
    ]);
    await r.settle();
    const ev1 = await uuidOf(r.julia, 'EV-1');
    expect(r.exports).toEqual([[ev1]]);
    // Within a few seconds of Julia's tag (debounce 0.3 s here).
    const latency = r.exportStarts[0]! - wroteAt;
    if (process.env.FERRY_MEASURE) console.log(`event → export started in ${latency} ms`);
    expect(latency).toBeLessThan(5000);
    // The recorded export wrote `exported` through Ferry's connection: its events came and were dropped.
    const stats = r.server.ctx.events!.stats;
    expect(stats.own).toBeGreaterThanOrEqual(1);
    expect(stats.skipped['not tagged']).toBe(1);
    expect(await erpStatusOf(r.julia, 'EV-1')).toBe('exported');
    expect(await erpStatusOf(r.julia, 'EV-2')).toBeUndefined();
    // In the runs history as an export, started by the events.
    const runs = r.server.ctx.db.prepare('SELECT r.mode, o.started_by FROM runs r LEFT JOIN console_run_origins o ON o.run_id = r.id ORDER BY r.id').all();
    expect(runs).toEqual([{ mode: 'export', started_by: 'events' }]);
    // Julia edits the exported product (export.updates: owned): it is sent again; Ferry's write-back again does nothing.
    await write(r.julia, [{ identifier: 'EV-1', family: 'tshirts', values: title('Tagged, renamed') }]);
    await r.settle();
    expect(r.exports).toEqual([[ev1], [ev1]]);
    expect(r.server.ctx.db.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual({ n: 2 });
  });

  it('a burst of edits to one product gives one export (debounce)', async () => {
    const r = (current = await rig({}, 0.5));
    for (let i = 0; i < 6; i++) {
      await write(r.julia, [{ identifier: 'EV-BURST', values: { ...title(`draft ${i}`), ...status('to_export') } }]);
    }
    await r.settle();
    expect(r.exports).toEqual([[await uuidOf(r.julia, 'EV-BURST')]]);
    expect(await erpStatusOf(r.julia, 'EV-BURST')).toBe('exported');
    expect(r.server.ctx.events!.stats.accepted).toBe(6);
  });

  it('a status change alone by someone other than Ferry does not loop (only the status attributes changed)', async () => {
    const r = (current = await rig());
    await write(r.julia, [{ identifier: 'EV-ST', values: { ...title('Status'), ...status('to_export') } }]);
    await r.settle();
    const st = await uuidOf(r.julia, 'EV-ST');
    expect(r.exports).toEqual([[st]]);
    expect(await erpStatusOf(r.julia, 'EV-ST')).toBe('exported');
    // Another user marks it in_erp (as an ERP-side integration might): no value but the status changed.
    await write(r.julia, [{ identifier: 'EV-ST', values: status('in_erp') }]);
    await r.settle();
    expect(r.exports).toEqual([[st]]);
    expect(r.server.ctx.events!.stats.skipped['only the status changed']).toBe(1);
    // Tagging it again is Julia asking for an export: it goes.
    await write(r.julia, [{ identifier: 'EV-ST', values: status('to_export') }]);
    await r.settle();
    expect(r.exports).toEqual([[st], [st]]);
    expect(await erpStatusOf(r.julia, 'EV-ST')).toBe('exported');
  });

  it('Event Platform deliveries, duplicated and newest first, are processed once (re-read from the PIM)', async () => {
    const r = (current = await rig({ eventsFormat: 'platform', eventsDuplicate: true, eventsReorder: true }));
    await write(r.julia, [
      { identifier: 'EP-1', values: { ...title('One'), ...status('to_export') } },
      { identifier: 'EP-2', values: { ...title('Two'), ...status('to_export') } },
    ]);
    await r.settle();
    expect(r.exports).toEqual([[await uuidOf(r.julia, 'EP-1'), await uuidOf(r.julia, 'EP-2')].sort()]);
    expect(await erpStatusOf(r.julia, 'EP-2')).toBe('exported');
    const stats = r.server.ctx.events!.stats;
    // Each write came twice: one of each pair is a duplicate (Ferry's write-back came twice too).
    expect(stats.accepted).toBe(2);
    expect(stats.duplicates).toBeGreaterThanOrEqual(2);
    expect(stats.own).toBeGreaterThanOrEqual(2);
  });

  it('one URL takes both formats: the same event id delivered as Events API and Event Platform counts once', async () => {
    const r = (current = await rig({ eventsFormat: 'both' }));
    await write(r.julia, [{ identifier: 'EB-1', values: { ...title('Both'), ...status('to_export') } }]);
    await r.settle();
    expect(r.exports).toEqual([[await uuidOf(r.julia, 'EB-1')]]);
    expect(r.server.ctx.events!.stats.accepted).toBe(1);
    expect(r.server.ctx.events!.stats.duplicates).toBeGreaterThanOrEqual(1);
  });

  it('refuses a bad signature, an old timestamp and an unsigned delivery with a clear 401; a replayed event id is ignored', async () => {
    const r = (current = await rig());
    const body = JSON.stringify({
      events: [
        {
          action: 'product.updated',
          event_id: 'replayed-1',
          event_datetime: new Date().toISOString(),
          author: 'julia',
          author_type: 'api',
          pim_source: r.sb.url,
          data: { resource: { identifier: 'EV-X', uuid: '9d2a5b8e-1111-4c3e-9a1b-0123456789ab', values: { ...title('x'), ...status('to_export') } } },
        },
      ],
    });
    const post = (headers: Record<string, string>) => fetch(`${r.url}/api/v1/events/akeneo`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const now = Math.floor(Date.now() / 1000);

    const bad = await post(signDelivery('not-the-secret', body, now));
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/X-Akeneo-Request-Signature does not match.*events\.secret/);

    const old = await post(signDelivery(SECRET, body, now - 600));
    expect(old.status).toBe(401);
    expect(((await old.json()) as { error: { message: string } }).error.message).toMatch(/600 s old.*older than 300 s are refused/);

    const unsigned = await post({});
    expect(unsigned.status).toBe(401);
    expect(await unsigned.text()).not.toContain(SECRET);

    const started = Date.now();
    const good = await post(signDelivery(SECRET, body, now));
    expect(good.status).toBe(200);
    if (process.env.FERRY_MEASURE) console.log(`signed delivery answered in ${Date.now() - started} ms`);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await good.json()).toMatchObject({ received: 1, accepted: 1, duplicates: 0 });
    const again = await post(signDelivery(SECRET, body, now));
    expect(await again.json()).toMatchObject({ received: 1, accepted: 0, duplicates: 1 });
    await r.settle();
    expect(r.exports).toEqual([['9d2a5b8e-1111-4c3e-9a1b-0123456789ab']]);
  });
});

describe('Event Platform signature (api.akeneo.com/event-platform/concepts.html, "HMAC signature for webhook payloads")', () => {
  const envelope = (id: string, time = new Date().toISOString()) =>
    JSON.stringify({
      specversion: '1.0',
      id,
      source: 'pim',
      type: 'com.akeneo.pim.v1.product.updated',
      subject: '018e1ec5-29da-78ad-aae6-92065b9ca2a6',
      datacontenttype: 'application/json',
      time,
      data: { product: { uuid: '7c1e0a4e-2222-4c3e-9a1b-0123456789ab' }, author: { identifier: 'julia', type: 'api' } },
    });

  it('takes X-AKENEO-SIGNATURE-PRIMARY or -SECONDARY (HMAC-SHA256 of the body alone); refuses a wrong secret, another algorithm, an Events API signature on an envelope and an event older than the ids are kept', async () => {
    const r = (current = await rig());
    const post = (body: string, headers: Record<string, string>) => fetch(`${r.url}/api/v1/events/platform`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const one = envelope('ep-sig-1');
    const good = await post(one, signPlatformDelivery(one, SECRET));
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ received: 1, accepted: 1 });
    // A rotation: Akeneo signs with a new primary, Ferry still knows the old one, now the secondary.
    const two = envelope('ep-sig-2');
    expect((await post(two, signPlatformDelivery(two, 'the-new-primary-secret', SECRET))).status).toBe(200);
    const wrong = await post(envelope('ep-sig-3'), signPlatformDelivery(envelope('ep-sig-3'), 'not-the-secret'));
    expect(wrong.status).toBe(401);
    const wrongText = await wrong.text();
    expect(wrongText).toMatch(/neither X-AKENEO-SIGNATURE-PRIMARY nor X-AKENEO-SIGNATURE-SECONDARY matches.*events\.platformSecret in/);
    expect(wrongText).not.toContain(SECRET);
    const three = envelope('ep-sig-3');
    const sha1 = await post(three, { ...signPlatformDelivery(three, SECRET), 'x-akeneo-signature-algorithm': 'HmacSHA1' });
    expect(sha1.status).toBe(401);
    // The body alone is signed: the Events API's timestamp.body signature does not pass for an envelope.
    const asApi = await post(three, signDelivery(SECRET, three, Math.floor(Date.now() / 1000)));
    expect(asApi.status).toBe(400);
    expect(await asApi.text()).toMatch(/an Events API delivery is/);
    const old = envelope('ep-sig-4', new Date(Date.now() - 8 * 86_400_000).toISOString());
    const stale = await post(old, signPlatformDelivery(old, SECRET));
    expect(stale.status).toBe(401);
    expect(await stale.text()).toMatch(/older than the 7 days event ids are kept/);
    // A destination URL is checked with HEAD.
    expect((await fetch(`${r.url}/api/v1/events/platform`, { method: 'HEAD' })).status).toBe(200);
    expect(r.server.ctx.events!.stats.accepted).toBe(2);
  });

  it("the sandbox's Event Platform deliveries during a secret rotation (new primary, Ferry's secret as secondary) trigger the export", async () => {
    const r = (current = await rig({ eventsFormat: 'platform', eventsSecret: 'the-new-primary-secret', eventsSecondarySecret: SECRET }));
    await write(r.julia, [{ identifier: 'EP-ROT', values: { ...title('Rotated'), ...status('to_export') } }]);
    await r.settle();
    expect(r.exports).toEqual([[await uuidOf(r.julia, 'EP-ROT')]]);
    expect(r.sb.events!.stats().failed).toBe(0);
    expect(await erpStatusOf(r.julia, 'EP-ROT')).toBe('exported');
  });
});

describe('scheduled exports', () => {
  it('a schedule with mode export runs the export (PIM → ERP) in the runs history', async () => {
    const r = (current = await rig());
    await r.server.ctx.auth.addUser('ops', 'operator', 'operator-password-1');
    const ops = await signIn(r.server, 'ops', 'operator-password-1');
    const res = await r.server.app.inject({
      method: 'POST',
      url: '/api/v1/schedules',
      headers: ops.headers,
      payload: { name: 'Hourly export', spec: { kind: 'everyHours', hours: 1 }, timezone: 'UTC', mode: 'export' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ mode: 'export' });
    // A product tagged by a bulk import nobody's events announce (the schedule finds it by its tag).
    await r.server.close(); // the receiver is gone: only the schedule can export it now
    const server = await createConsole({ config: r.server.ctx.config, logger: silent });
    try {
      await write(r.julia, [{ identifier: 'SCH-1', family: 'tshirts', values: { ...title('Scheduled'), ...status('to_export') } }]);
      // Edited an hour ago: the slot of this hour is due.
      server.ctx.db.prepare("UPDATE console_schedules SET updated_at = ?").run(new Date(Date.now() - 3_700_000).toISOString());
      const fired = await server.ctx.scheduler.tick();
      expect(fired).toMatchObject([{ outcome: 'started' }]);
      await server.ctx.manager.idle();
      expect(await erpStatusOf(r.julia, 'SCH-1')).toBe('exported');
      const runs = server.ctx.db.prepare('SELECT r.mode, o.started_by FROM runs r LEFT JOIN console_run_origins o ON o.run_id = r.id ORDER BY r.id').all();
      expect(runs).toEqual([{ mode: 'export', started_by: 'schedule:Hourly export' }]);
    } finally {
      await server.close();
    }
  });
});

describe('the PIM → ERP page API', () => {
  it('lists the products of each status from the PIM, exports them now, and retries one after Julia fixed it', async () => {
    // Events wait an hour here: only the page's buttons export.
    const r = (current = await rig({}, 3600, { length: { attribute: 'product_weight', unit: 'cm' } }));
    await r.server.ctx.auth.addUser('ops', 'operator', 'operator-password-1');
    await r.server.ctx.auth.addUser('look', 'viewer', 'viewer-password-1');
    const ops = await signIn(r.server, 'ops', 'operator-password-1');
    const look = await signIn(r.server, 'look', 'viewer-password-1');
    const weight = { product_weight: [{ locale: null, scope: null, data: { amount: '250', unit: 'GRAM' } }] };
    await write(r.julia, [
      { identifier: 'PG-OK', family: 'tshirts', values: { ...title('Fine'), ...status('to_export') } },
      { identifier: 'PG-BAD', family: 'tshirts', values: { ...title('Weighs in cm'), ...weight, ...status('to_export') } },
    ]);
    const overview = async () => {
      const res = await r.server.app.inject({ method: 'GET', url: '/api/v1/export/overview', headers: look.headers });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as ExportOverview;
      return Object.fromEntries(body.groups.map((g) => [g.status, g.items.map((i) => `${i.identifier}${i.message ? `: ${i.message}` : ''}${i.fix ? ` → ${i.fix}` : ''}`).sort()]));
    };
    expect(await overview()).toEqual({ to_export: ['PG-BAD', 'PG-OK'], exported: [], in_erp: [], error: [] });

    const denied = await r.server.app.inject({ method: 'POST', url: '/api/v1/export/runs', headers: look.headers, payload: {} });
    expect(denied.statusCode).toBe(403);
    const now = await r.server.app.inject({ method: 'POST', url: '/api/v1/export/runs', headers: ops.headers, payload: {} });
    expect(now.statusCode, now.body).toBe(202);
    await r.server.ctx.manager.idle();
    const after = await overview();
    expect(after.to_export).toEqual([]);
    expect(after.exported).toEqual(['PG-OK']);
    expect(after.error).toHaveLength(1);
    expect(after.error![0]).toMatch(/^PG-BAD: .*cannot be converted to cm.* → .*unit/);

    // Julia removes the weight; "retry" tags it again and exports it alone.
    await write(r.julia, [{ identifier: 'PG-BAD', values: { product_weight: [{ locale: null, scope: null, data: null }] } }]);
    const bad = await uuidOf(r.julia, 'PG-BAD');
    const retry = await r.server.app.inject({ method: 'POST', url: `/api/v1/export/products/${bad}/retry`, headers: ops.headers, payload: {} });
    expect(retry.statusCode, retry.body).toBe(202);
    await r.server.ctx.manager.idle();
    expect((await overview()).exported).toEqual(['PG-BAD', 'PG-OK']);
    const modes = r.server.ctx.db.prepare("SELECT r.mode, o.started_by FROM runs r LEFT JOIN console_run_origins o ON o.run_id = r.id ORDER BY r.id").all();
    expect(modes).toEqual([
      { mode: 'export', started_by: 'user:ops' },
      { mode: 'export', started_by: 'user:ops' },
    ]);
  });
});
