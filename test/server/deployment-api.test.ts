/**
 * `ferry serve` over a deployment (src/server/deployment.ts), through a real socket: one sign-in
 * for every connection, runs and history per connection (chosen by header, query or the
 * switcher's cookie), a connection whose config is invalid listed with its error, and one whose
 * PIM is down failing alone while the other's run finishes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { JULIA, startTestDeployment, type TestDeployment } from '../support/deployment.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-deployment-api-'));
let td: TestDeployment;
let north: RunningSandbox;
let south: RunningSandbox;
let base: string;
let session: Record<string, string>;

beforeAll(async () => {
  td = await startTestDeployment(dir);
  ({ north, south, url: base } = td);
  const res = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: JULIA.name, password: JULIA.password }) });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  session = { cookie, 'x-csrf-token': ((await res.json()) as { csrfToken: string }).csrfToken };
}, 180_000);

afterAll(async () => {
  await td?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function api(path: string, connection: string | null, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}/api/v1${path}`, { ...init, headers: { ...session, ...(connection ? { 'x-ferry-connection': connection } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers as Record<string, string>) } });
}

async function finished(connection: string, runId: number): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const r = (await (await api(`/runs/${runId}`, connection)).json()) as { run: { status: string } };
    if (r.run.status !== 'running') return r.run.status;
    await new Promise((s) => setTimeout(s, 100));
  }
  throw new Error(`run #${runId} of ${connection} did not finish`);
}

describe('one Console, several connections', () => {
  it('lists every connection, the invalid one with its key path, and which one a request is for', async () => {
    const d = (await (await api('/deployment', 'south')).json()) as { current: string; connections: { name: string; pimUrl: string | null; error: string | null }[] };
    expect(d.current).toBe('south');
    expect(d.connections.map((c) => c.name)).toEqual(['north', 'south', 'broken']);
    expect(d.connections[1]).toMatchObject({ pimUrl: south.url, error: null });
    expect(d.connections[2]!.error).toMatch(/connections\.broken\.pim\.url/);
    // No header: the first connection that started; the switcher's cookie; ?connection= for event subscriptions.
    expect(((await (await api('/deployment', null)).json()) as { current: string }).current).toBe('north');
    expect(((await (await api('/deployment', null, { headers: { cookie: `${session.cookie}; ferry_connection=south` } })).json()) as { current: string }).current).toBe('south');
    expect(((await (await api('/deployment?connection=south', null)).json()) as { current: string }).current).toBe('south');
    // A cookie left on a connection that does not run falls back; a request naming it on purpose is refused.
    expect(((await (await api('/deployment', null, { headers: { cookie: `${session.cookie}; ferry_connection=broken` } })).json()) as { current: string }).current).toBe('north');
    const broken = await api('/dashboard', 'broken');
    expect(broken.status).toBe(503);
    expect(((await broken.json()) as { error: { message: string } }).error.message).toMatch(/^connection broken is not served \(its configuration or state did not load\)/);
    const unknown = await api('/dashboard', 'east');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toBe('no connection "east" in this Console; GET /api/v1/deployment (signed in) lists its connections');
  });

  it('runs and history are per connection; one PIM down, the other run finishes', async () => {
    const start = async (c: string) => {
      const r = await api('/runs', c, { method: 'POST', body: JSON.stringify({ mode: 'full' }) });
      expect(r.status, await r.clone().text()).toBe(202);
      return ((await r.json()) as { runId: number }).runId;
    };
    const [n1, s1] = await Promise.all([start('north'), start('south')]);
    expect(await finished('north', n1)).toBe('succeeded');
    expect(await finished('south', s1)).toBe('succeeded');
    expect(north.stats().products).toBeGreaterThan(0);
    expect(south.stats().products).toBeGreaterThan(0);

    await south.close();
    const [n2, s2] = await Promise.all([start('north'), start('south')]);
    expect(await finished('south', s2)).toBe('failed');
    expect(await finished('north', n2)).toBe('succeeded');

    const total = async (c: string) => ((await (await api('/runs', c)).json()) as { total: number }).total;
    expect(await total('north')).toBe(2);
    expect(await total('south')).toBe(2);
    // The dashboard of each speaks of its own connection.
    const dash = (await (await api('/dashboard', 'north')).json()) as { connections: { name: string; pimUrl: string }[] };
    expect(dash.connections[0]).toMatchObject({ name: 'north', pimUrl: north.url });
  }, 180_000);

  it('sign-in attempts count once for the deployment, whichever connection they name', async () => {
    const attempt = (connection: string) =>
      fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-ferry-connection': connection }, body: JSON.stringify({ username: JULIA.name, password: 'wrong-password-1' }) });
    // One attempt was the beforeAll's sign-in; nine more alternate between the connections.
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await attempt(i % 2 === 0 ? 'north' : 'south')).status);
    expect(statuses.every((s) => s === 401)).toBe(true);
    expect((await attempt('south')).status).toBe(429);
  });
});
