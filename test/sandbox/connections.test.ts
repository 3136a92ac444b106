/**
 * The sandbox as one SaaS instance with several Connections: each has its own credentials and
 * tokens, the limits apply per connection (4 concurrent) and per instance across them (10
 * concurrent, 100 requests/s), and the stats report peaks per connection and per instance.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sandboxOptionsFromFlags } from '../../src/cli/commands/sandbox.js';
import { startSandbox, type RunningSandbox, type SandboxConnection } from '../../src/sandbox/index.js';

let open: RunningSandbox[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

async function sandbox(options: Parameters<typeof startSandbox>[0]): Promise<RunningSandbox> {
  const sb = await startSandbox({ catalog: 'empty', ...options });
  open.push(sb);
  return sb;
}

async function login(sb: RunningSandbox, c: SandboxConnection): Promise<{ status: number; token?: string }> {
  const res = await fetch(`${sb.url}/api/oauth/v1/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${c.clientId}:${c.secret}`).toString('base64')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', username: c.username, password: c.password }),
  });
  const body = (await res.json()) as { access_token?: string };
  return { status: res.status, ...(body.access_token ? { token: body.access_token } : {}) };
}

const get = (sb: RunningSandbox, token: string) =>
  fetch(`${sb.url}/api/rest/v1/channels`, { headers: { authorization: `Bearer ${token}` } }).then(async (r) => {
    await r.arrayBuffer();
    return r.status;
  });

describe('sandbox with several connections', () => {
  it('--connections N: each connection logs in with its own credentials, not with another one\'s user', async () => {
    const sb = await sandbox({ connections: 3 });
    expect(sb.connections.map((c) => c.clientId)).toEqual(['ferry', 'ferry-2', 'ferry-3']);
    for (const c of sb.connections) expect((await login(sb, c)).status).toBe(200);
    const [first, second] = sb.connections as [SandboxConnection, SandboxConnection];
    // The second connection's client with the first connection's user: refused, as Akeneo does.
    expect((await login(sb, { ...second, username: first.username, password: first.password })).status).toBe(422);
    expect((await login(sb, { ...second, secret: first.secret })).status).toBe(422);
  });

  it('limits per connection (4) and per instance (10) across connections; peaks per connection and instance', async () => {
    const sb = await sandbox({ connections: 3, limits: 'saas', latency: '600ms' });
    const tokens = await Promise.all(sb.connections.map(async (c) => (await login(sb, c)).token!));
    // 5 calls on each of 3 connections at once: each connection admits 4, the instance 10 of those 12.
    const statuses = await Promise.all(tokens.flatMap((t) => Array.from({ length: 5 }, () => get(sb, t))));
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    const stats = sb.stats();
    expect(stats.peakConcurrent.instance).toBe(10);
    const peaks = Object.values(stats.peakConcurrent.perConnection);
    expect(peaks).toHaveLength(3);
    expect(Math.max(...peaks)).toBe(4);
    expect(peaks.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(10);
    expect(Object.values(stats.requestsPerConnection).reduce((a, b) => a + b, 0)).toBe(10);
    expect(stats.peakPerSecond.requests).toBe(10);
  });

  it('the request rate is per instance: 100/s over all connections together', async () => {
    const sb = await sandbox({ connections: 3, limits: 'saas' });
    const tokens = await Promise.all(sb.connections.map(async (c) => (await login(sb, c)).token!));
    const statuses: number[] = [];
    // 3 at a time per connection (never over a concurrency cap), 120 per connection.
    const t0 = performance.now();
    for (let round = 0; round < 40; round++) {
      statuses.push(...(await Promise.all(tokens.flatMap((t) => Array.from({ length: 3 }, () => get(sb, t))))));
    }
    const seconds = (performance.now() - t0) / 1000;
    const ok = statuses.filter((s) => s === 200).length;
    // A full bucket (100) plus the refill at 100/s, whichever connection asked.
    expect(ok).toBeLessThanOrEqual(100 + Math.ceil(seconds * 100) + 1);
    expect(ok).toBeGreaterThanOrEqual(100);
    if (seconds < 2.4) expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(Object.keys(sb.stats().requestsPerConnection).sort()).toEqual(['ferry', 'ferry-2', 'ferry-3']);
  });

  it('the CLI reads a number or a credentials file, and names the entry that is wrong', () => {
    expect(sandboxOptionsFromFlags({ connections: '3' }).connections).toBe(3);
    const dir = mkdtempSync(join(tmpdir(), 'ferry-sb-conn-'));
    try {
      const file = join(dir, 'connections.yaml');
      writeFileSync(file, '- { clientId: erp, secret: s1, username: u1, password: p1 }\n- { clientId: shop, secret: s2, username: u2, password: p2 }\n');
      expect(sandboxOptionsFromFlags({ connections: file }).connections).toEqual([
        { clientId: 'erp', secret: 's1', username: 'u1', password: 'p1' },
        { clientId: 'shop', secret: 's2', username: 'u2', password: 'p2' },
      ]);
      writeFileSync(file, '- { clientId: erp, secret: s1, username: u1 }\n');
      expect(() => sandboxOptionsFromFlags({ connections: file })).toThrow(/entry 0\.password/);
      expect(() => sandboxOptionsFromFlags({ connections: join(dir, 'missing.yaml') })).toThrow(/neither a number of connections/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a credentials list replaces the default connection', async () => {
    const sb = await sandbox({
      connections: [
        { clientId: 'erp', secret: 's1', username: 'u1', password: 'p1' },
        { clientId: 'shop', secret: 's2', username: 'u2', password: 'p2' },
      ],
    });
    expect(sb.clientId).toBe('erp');
    expect((await login(sb, sb.connections[1]!)).status).toBe(200);
    expect((await login(sb, { clientId: 'ferry', secret: 'ferry-secret', username: 'admin', password: 'admin' })).status).toBe(422);
  });

  it("denied: a connection whose user role lacks a Web API permission gets Akeneo's 403 for it, and only for it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-sandbox-acl-'));
    try {
      const file = join(dir, 'creds.yaml');
      writeFileSync(file, '- { clientId: full, secret: s1, username: u1, password: p1 }\n- { clientId: limited, secret: s2, username: u2, password: p2, denied: [list channels, create or update products] }\n');
      const connections = sandboxOptionsFromFlags({ connections: file }).connections as SandboxConnection[];
      expect(connections[1]!.denied).toEqual(['list channels', 'create or update products']);
      expect(() => sandboxOptionsFromFlags({ connections: writeBad(dir) })).toThrow(/denied/);
      const sb = await sandbox({ connections });
      const [full, limited] = sb.connections as [SandboxConnection, SandboxConnection];
      const fullToken = (await login(sb, full)).token!;
      const limitedToken = (await login(sb, limited)).token!;
      expect(await get(sb, fullToken)).toBe(200);
      const res = await fetch(`${sb.url}/api/rest/v1/channels`, { headers: { authorization: `Bearer ${limitedToken}` } });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ code: 403, message: 'Access forbidden. You are not allowed to list channels.' });
      const write = await fetch(`${sb.url}/api/rest/v1/products-uuid`, { method: 'POST', headers: { authorization: `Bearer ${limitedToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ identifier: 'X-1' }) });
      expect(write.status).toBe(403);
      expect(((await write.json()) as { message: string }).message).toBe('Access forbidden. You are not allowed to create or update products.');
      // What the role allows still works.
      const locales = await fetch(`${sb.url}/api/rest/v1/locales`, { headers: { authorization: `Bearer ${limitedToken}` } });
      expect(locales.status).toBe(200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function writeBad(dir: string): string {
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, '- { clientId: x, secret: s, username: u, password: p, denied: [everything] }\n');
  return file;
}
