/**
 * Several Connections of one PIM in one client (pim.connections): calls spread across them, each
 * connection with its own token and its own cap of 4, within the instance cap (10 × instanceShare),
 * measured by the sandbox.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAkeneoClient, type AkeneoClient, type TokenCache } from '../../src/akeneo/index.js';
import { governorLimitsOf } from '../../src/akeneo/client.js';
import { rateLimitsSchema } from '../../src/akeneo/config.js';
import { LocalGovernor } from '../../src/akeneo/governor.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';

let sb: RunningSandbox | undefined;
let client: AkeneoClient | undefined;
afterEach(async () => {
  await client?.close();
  await sb?.close();
  client = sb = undefined;
});

async function burst(c: AkeneoClient, calls: number, parallel: number): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < calls) {
        next++;
        await c.families.find(`missing_${next}`);
      }
    }),
  );
  return performance.now() - t0;
}

describe('several connections in one client', () => {
  it('the governor: least busy connection first, 4 each, the instance cap over all', { timeout: 5000 }, async () => {
    const g = new LocalGovernor({ connections: 3, perConnection: 4, instance: 10, requestsPerSecond: 1000, optionWritesPerSecond: 3 });
    const permits = await Promise.all(Array.from({ length: 10 }, () => g.acquire({ optionWrite: false })));
    expect([...g.inFlight()].sort()).toEqual([3, 3, 4]);
    let eleventh = false;
    const pending = g.acquire({ optionWrite: false }).then((p) => {
      eleventh = true;
      return p;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(eleventh).toBe(false);
    permits[0]!.release();
    const p = await pending;
    expect(p.connection).toBe(permits[0]!.connection);
    // A pinned call waits for its own connection even when another has room.
    const full = g.inFlight().findIndex((n) => n === 4);
    for (const x of permits.slice(1)) if (x.connection !== full) x.release();
    const pinned = g.acquire({ optionWrite: false, connection: full });
    let pinnedIn = false;
    void pinned.then(() => (pinnedIn = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(pinnedIn).toBe(false);
    permits.slice(1).find((x) => x.connection === full)!.release();
    expect((await pinned).connection).toBe(full);
  });

  it('instanceShare takes its fraction of the instance: 0.5 of 10 is 5 concurrent, 50 req/s, 1.5 option writes/s', () => {
    const limits = governorLimitsOf(rateLimitsSchema.parse({ instanceShare: 0.5 }), 3);
    expect(limits).toEqual({ connections: 3, perConnection: 4, instance: 5, requestsPerSecond: 50, optionWritesPerSecond: 1.5 });
    // One connection keeps its 4 whatever the instance allows.
    expect(governorLimitsOf(rateLimitsSchema.parse({}), 1)).toMatchObject({ perConnection: 4, instance: 10 });
  });

  it('clients given one token cache ask one token per connection between them; warmUp asks them before the first call', async () => {
    sb = await startSandbox({ catalog: 'empty', latency: '50ms', connections: 3 });
    const running = sb;
    const tokensAsked = () => Object.values(running.stats().requests['POST /api/oauth/v1/token'] ?? {}).reduce((a, b) => a + b, 0);
    const tokens: TokenCache = new Map();
    const clients = [0, 1, 2].map(() => createAkeneoClient({ url: running.url, auth: { kind: 'connections', connections: running.connections }, tokens }));
    try {
      clients[0]!.warmUp();
      // Before any call: the three tokens are asked (and only once however often warmUp is called).
      clients[1]!.warmUp();
      await new Promise((r) => setTimeout(r, 300));
      expect(tokensAsked()).toBe(3);
      await Promise.all(clients.map((c) => burst(c, 12, 6)));
      // Three clients, three connections each: still the three tokens.
      expect(tokensAsked()).toBe(3);
      // A client of its own asks its own.
      client = createAkeneoClient({ url: running.url, auth: { kind: 'connections', connections: running.connections } });
      await burst(client, 6, 6);
      expect(tokensAsked()).toBe(6);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('against the sandbox: 3 connections carry 10 at once (1 connection: 4), each within its 4, no 429', async () => {
    sb = await startSandbox({ catalog: 'empty', limits: 'saas', latency: '150ms', connections: 3 });
    client = createAkeneoClient({ url: sb.url, auth: { kind: 'connections', connections: sb.connections } });
    const threeMs = await burst(client, 120, 16);
    const three = sb.stats();
    expect(three.throttled429).toBe(0);
    expect(three.peakConcurrent.instance).toBe(10);
    expect(Object.keys(three.peakConcurrent.perConnection).sort()).toEqual(['ferry', 'ferry-2', 'ferry-3']);
    for (const peak of Object.values(three.peakConcurrent.perConnection)) expect(peak).toBeLessThanOrEqual(4);
    for (const n of Object.values(three.requestsPerConnection)) expect(n).toBeGreaterThanOrEqual(30);
    expect(client.stats().tokenRequests).toBe(3);
    expect(client.limits()).toMatchObject({ connections: 3, instanceCap: 10 });
    await client.close();

    const one = createAkeneoClient({ url: sb.url, auth: { kind: 'connection', ...sb.connections[0]! } });
    client = one;
    const oneMs = await burst(one, 120, 16);
    console.log('[connections]', JSON.stringify({ threeConnectionsMs: Math.round(threeMs), oneConnectionMs: Math.round(oneMs), perConnection: three.requestsPerConnection }));
    // 120 calls of 150 ms: 10 at a time ≈ 1.8 s, 4 at a time ≈ 4.5 s.
    expect(oneMs / threeMs).toBeGreaterThan(1.6);
  });
});
