/**
 * Akeneo events → exports, for real: the sandbox sends signed events (Events API and Event
 * Platform) over HTTP to a listening `ferry serve` (the Console app), written by two API users:
 * julia (a person) and admin (Ferry's own connection). The export the Console runs is recorded
 * and, like the real one, writes the status back through Ferry's connection, whose events must
 * trigger nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAkeneoClient, type AkeneoClient } from '../../src/akeneo/index.js';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { signDelivery } from '../../src/sandbox/events.js';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { createConsole, type ConsoleServer } from '../../src/server/app.js';
import type { ExportRunOptions } from '../../src/server/runs/export-runner.js';
import { sandboxPimConfig } from '../sync/support/e2e.js';
import { silent } from './support.js';

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
const title = (text: string) => ({ marketing_title: [{ locale: 'en_US', scope: null, data: text }] });

interface Rig {
  sb: RunningSandbox;
  server: ConsoleServer;
  url: string;
  julia: AkeneoClient;
  ferry: AkeneoClient;
  exports: string[][];
  /** Waits until the sandbox delivered everything and the Console settled and ran its exports. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

async function rig(sandbox: Partial<SandboxOptions> = {}, debounceSeconds = 0.3): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-events-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const sb = await startSandbox({ catalog: 'demo', users: [JULIA], eventsUrl: `${url}/api/v1/events/akeneo`, eventsSecret: SECRET, eventsBatchMs: 10, ...sandbox });
  const ferry = clientAs(sb, { username: sb.username, password: sb.password });
  const julia = clientAs(sb, JULIA);
  // The export status attribute as `ferry pim bootstrap` makes it (issue 17 point 1).
  await ferry.attributes.upsert({ code: 'erp_status', type: 'pim_catalog_simpleselect', group: 'other', localizable: false, scopable: false } as never);
  await ferry.attributeOptions('erp_status').upsertMany(['to_export', 'exported', 'in_erp', 'error'].map((code, i) => ({ code, attribute: 'erp_status', sort_order: i }) as never));
  await ferry.attributes.upsert({ code: 'erp_message', type: 'pim_catalog_text', group: 'other', localizable: false, scopable: false } as never);

  const config = ferryConfigSchema.parse({
    pim: sandboxPimConfig(sb),
    erp: { type: 'demo', path: join(dir, 'demo-erp.sqlite'), items: 5, seed: 3 },
    state: { path: join(dir, 'ferry.db') },
    events: { secret: SECRET, debounceSeconds },
  });
  const exports: string[][] = [];
  // Records the keys, then writes back as the export does: through Ferry's connection.
  const runExport = async (_config: unknown, o: ExportRunOptions) => {
    exports.push([...(o.keys ?? [])]);
    await ferry.products.upsertMany((o.keys ?? []).map((identifier) => ({ identifier, values: { ...status('exported'), erp_message: [{ locale: null, scope: null, data: '' }] } })));
    return { runId: null, status: 'succeeded' };
  };
  const server = await createConsole({ config, logger: silent, runExport });
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
    await r.julia.products.upsertMany([
      { identifier: 'EV-1', values: { ...title('Tagged'), ...status('to_export') } },
      { identifier: 'EV-2', values: title('Not tagged') },
    ]);
    await r.settle();
    expect(r.exports).toEqual([['EV-1']]);
    // The recorded export wrote `exported` through Ferry's connection: its events came and were dropped.
    const stats = r.server.ctx.events!.stats;
    expect(stats.own).toBeGreaterThanOrEqual(1);
    expect(stats.skipped['not tagged']).toBe(1);
    expect(((await r.ferry.products.get('EV-1')).values?.['erp_status'] as { data: string }[])[0]!.data).toBe('exported');
    // Julia edits the exported product: a real change, exported again; then Ferry's write-back again does nothing.
    await r.julia.products.upsert({ identifier: 'EV-1', values: title('Tagged, renamed') });
    await r.settle();
    expect(r.exports).toEqual([['EV-1'], ['EV-1']]);
  });

  it('a burst of edits to one product gives one export (debounce)', async () => {
    const r = (current = await rig({}, 0.5));
    for (let i = 0; i < 6; i++) {
      await r.julia.products.upsert({ identifier: 'EV-BURST', values: { ...title(`draft ${i}`), ...status('to_export') } });
    }
    await r.settle();
    expect(r.exports).toEqual([['EV-BURST']]);
    expect(r.server.ctx.events!.stats.accepted).toBe(6);
  });

  it('a status change alone by someone other than Ferry does not loop (only the status attributes changed)', async () => {
    const r = (current = await rig());
    await r.julia.products.upsert({ identifier: 'EV-ST', values: { ...title('Status'), ...status('to_export') } });
    await r.settle();
    expect(r.exports).toEqual([['EV-ST']]);
    // Another user marks it in_erp (as an ERP-side integration might): no value but the status changed.
    await r.julia.products.upsert({ identifier: 'EV-ST', values: status('in_erp') });
    await r.settle();
    expect(r.exports).toEqual([['EV-ST']]);
    expect(r.server.ctx.events!.stats.skipped['only the status changed']).toBe(1);
    // Tagging it again is Julia asking for an export: it goes.
    await r.julia.products.upsert({ identifier: 'EV-ST', values: status('to_export') });
    await r.settle();
    expect(r.exports).toEqual([['EV-ST'], ['EV-ST']]);
  });

  it('Event Platform deliveries, duplicated and newest first, are processed once (re-read from the PIM)', async () => {
    const r = (current = await rig({ eventsFormat: 'platform', eventsDuplicate: true, eventsReorder: true }));
    await r.julia.products.upsertMany([
      { identifier: 'EP-1', values: { ...title('One'), ...status('to_export') } },
      { identifier: 'EP-2', values: { ...title('Two'), ...status('to_export') } },
    ]);
    await r.settle();
    expect(r.exports.map((k) => [...k].sort())).toEqual([['EP-1', 'EP-2']]);
    const stats = r.server.ctx.events!.stats;
    // Each write came twice: one of each pair is a duplicate (Ferry's write-back came twice too).
    expect(stats.accepted).toBe(2);
    expect(stats.duplicates).toBeGreaterThanOrEqual(2);
    expect(stats.own).toBeGreaterThanOrEqual(2);
  });

  it('one URL takes both formats: the same event id delivered as Events API and Event Platform counts once', async () => {
    const r = (current = await rig({ eventsFormat: 'both' }));
    await r.julia.products.upsert({ identifier: 'EB-1', values: { ...title('Both'), ...status('to_export') } });
    await r.settle();
    expect(r.exports).toEqual([['EB-1']]);
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
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await good.json()).toMatchObject({ received: 1, accepted: 1, duplicates: 0 });
    const again = await post(signDelivery(SECRET, body, now));
    expect(await again.json()).toMatchObject({ received: 1, accepted: 0, duplicates: 1 });
    await r.settle();
    expect(r.exports).toEqual([['EV-X']]);
  });
});
