import { afterEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { parseFaults, parseLatency, pickFault, seededRandom } from '../../src/sandbox/options.js';
import { Limiter, SAAS_LIMITS } from '../../src/sandbox/limits.js';
import { openSandbox, type Api } from './helpers.js';

let open: RunningSandbox[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});
async function sandbox(opts: Parameters<typeof openSandbox>[0]): Promise<{ sb: RunningSandbox; api: Api }> {
  const r = await openSandbox(opts);
  open.push(r.sb);
  return r;
}

describe('spec parsing', () => {
  it('parses latency specs', () => {
    expect(parseLatency('200ms+2ms/line')).toEqual({ perRequestMs: 200, perLineMs: 2 });
    expect(parseLatency('1s')).toEqual({ perRequestMs: 1000, perLineMs: 0 });
    expect(parseLatency(undefined)).toEqual({ perRequestMs: 0, perLineMs: 0 });
    expect(() => parseLatency('fast')).toThrow(/Invalid latency "fast"/);
  });
  it('parses fault specs and refuses bad ones', () => {
    expect(parseFaults('429:0.05,500:0.02,reset:0.01,timeout:0.005,500-after-write:0.01')).toHaveLength(5);
    expect(() => parseFaults('418:0.1')).toThrow(/KIND:PROBABILITY/);
    expect(() => parseFaults('429:2')).toThrow(/between 0 and 1/);
    expect(() => parseFaults('429:0.6,500:0.6')).toThrow(/more than 1/);
  });
  it('a seed replays the same fault sequence', () => {
    const spec = parseFaults('429:0.3,500:0.3');
    const run = (seed: number) => {
      const r = seededRandom(seed);
      return Array.from({ length: 50 }, () => pickFault(spec, r) ?? 'ok');
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
    expect(new Set(run(7))).toEqual(new Set(['429', '500', 'ok']));
  });
});

describe('SaaS limits', () => {
  it('limiter: concurrency per connection and per instance, then request rate', () => {
    let now = 0;
    const l = new Limiter(SAAS_LIMITS, () => now);
    const a = Array.from({ length: 4 }, () => l.admit('a', false));
    expect(a.every((x) => x.ok)).toBe(true);
    expect(l.admit('a', false)).toMatchObject({ ok: false, retryAfter: 1 });
    const b = [...Array.from({ length: 4 }, () => l.admit('b', false)), ...Array.from({ length: 2 }, () => l.admit('c', false))];
    expect(b.every((x) => x.ok)).toBe(true);
    expect(l.admit('d', false).ok).toBe(false); // 10 in flight on the instance
    for (const x of [...a, ...b]) if (x.ok) x.release();
    expect(l.current()).toBe(0);
    // 100 req/s budget: 90 more now (10 already taken) then refusal, refilled a second later.
    let granted = 0;
    for (let i = 0; i < 120; i++) {
      const x = l.admit('a', false);
      if (x.ok) {
        granted++;
        x.release();
      }
    }
    expect(granted).toBe(90);
    now += 1000;
    expect(l.admit('a', false).ok).toBe(true);
  });

  it('limiter: attribute-option writes 3/s', () => {
    let now = 0;
    const l = new Limiter(SAAS_LIMITS, () => now);
    const results = Array.from({ length: 4 }, () => {
      const x = l.admit('a', true);
      if (x.ok) x.release();
      return x.ok;
    });
    expect(results).toEqual([true, true, true, false]);
    expect(l.admit('a', true)).toMatchObject({ ok: false, reason: 'optionRate' });
    now += 400;
    expect(l.admit('a', true).ok).toBe(true);
  });

  it('over the HTTP API: a 5th concurrent call gets 429 with Retry-After; stats count it', async () => {
    const { sb, api } = await sandbox({ catalog: 'empty', limits: 'saas', latency: '800ms' });
    const results = await Promise.all(Array.from({ length: 5 }, () => api.get('/api/rest/v1/channels')));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const throttled = results.find((r) => r.status === 429);
    expect(throttled?.headers.get('retry-after')).toBe('1');
    expect(throttled?.json()).toMatchObject({ code: 429 });
    const stats = sb.stats();
    expect(stats.throttled429).toBe(1);
    // Which limit refused it: the connection's 4 concurrent calls.
    expect(stats.throttledBy).toEqual({ connection: 1 });
    expect(stats.peakConcurrent.perConnection['ferry']).toBe(4);
    expect(stats.requests['GET /api/rest/v1/channels']).toEqual({ '200': 4, '429': 1 });
  });

  it('limits off: no throttling at the same concurrency', async () => {
    const { api } = await sandbox({ catalog: 'empty', latency: '100ms' });
    const results = await Promise.all(Array.from({ length: 12 }, () => api.get('/api/rest/v1/channels')));
    expect(results.every((r) => r.status === 200)).toBe(true);
  });
});

describe('latency and faults', () => {
  it('latency adds the per-request and per-line delays', async () => {
    const { api } = await sandbox({ catalog: 'empty', latency: '50ms+10ms/line' });
    const t0 = Date.now();
    await api.ndjson('/api/rest/v1/products', Array.from({ length: 20 }, (_, i) => ({ identifier: `l${i}` })));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  });

  it('injected 429/500 follow the seed', async () => {
    const statuses = async (seed: number) => {
      const { api } = await sandbox({ catalog: 'empty', faults: '429:0.3,500:0.3', seed });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await api.get('/api/rest/v1/channels')).status);
      return out;
    };
    const a = await statuses(42);
    const b = await statuses(42);
    expect(a).toEqual(b);
    expect(new Set(a)).toEqual(new Set([200, 429, 500]));
  });

  it('500-after-write applies the write but answers 500; plain 500 does not write', async () => {
    const { sb, api } = await sandbox({ catalog: 'empty', faults: '500-after-write:1' });
    const r = await api.call('POST', '/api/rest/v1/products', { identifier: 'written' });
    expect(r.status).toBe(500);
    expect(r.headers.get('location')).toBeNull();
    expect(sb.stats().products).toBe(1);
    expect(sb.stats().faultsInjected['500-after-write']).toBe(1);
    const get = await api.get('/api/rest/v1/products/written');
    expect(get.status).toBe(200);

    const other = await sandbox({ catalog: 'empty', faults: '500:1' });
    expect((await other.api.call('POST', '/api/rest/v1/products', { identifier: 'lost' })).status).toBe(500);
    expect(other.sb.stats().products).toBe(0);
  });

  it('reset and timeout faults drop the connection', async () => {
    const { api } = await sandbox({ catalog: 'empty', faults: 'reset:1' });
    await expect(api.get('/api/rest/v1/channels')).rejects.toThrow();
    const t = await sandbox({ catalog: 'empty', faults: 'timeout:1', timeoutFaultMs: 200 });
    const t0 = Date.now();
    await expect(t.api.get('/api/rest/v1/channels')).rejects.toThrow();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(180);
  });

  it('faults never touch the token endpoint or the control routes', async () => {
    const { api } = await sandbox({ catalog: 'empty', faults: '500:1' });
    expect(await api.login()).toBeTruthy();
    expect((await api.raw('GET', '/_sandbox/stats')).status).toBe(200);
  });
});
