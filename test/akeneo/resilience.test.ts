import { describe, expect, it } from 'vitest';
import { AkeneoError, AkeneoNetworkError, createAkeneoClient, type RequestEvent } from '../../src/akeneo/index.js';
import { json, type FakeAkeneo } from './support/fake-akeneo.js';
import { fakeAkeneoPerTest } from './support/per-test.js';

const UUID = '11111111-1111-4111-8111-111111111111';
const akeneo = fakeAkeneoPerTest();

const itemCalls = (f: FakeAkeneo) => f.requests.filter((r) => r.path === `/api/rest/v1/products-uuid/${UUID}`);

describe('retries', () => {
  it('honours Retry-After in seconds on 429', async () => {
    const fake = await akeneo.start();
    fake.on('GET', /products-uuid\//, (_q, res) => json(res, 429, { code: 429, message: 'You have exceeded the limit of API requests per second.' }, { 'Retry-After': '1' }), 1);
    const { c, events } = akeneo.clientWithEvents(fake);
    await c.products.find(UUID);
    const calls = itemCalls(fake);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
    const throttled = events.find((e) => e.status === 429)!;
    expect(throttled.retryInMs).toBe(1000);
    expect(events.at(-1)).toMatchObject({ attempt: 2, route: '/api/rest/v1/products-uuid/{uuid}' });
    expect(events.at(-1)!.waitMs).toBeGreaterThanOrEqual(1000);
    expect(c.stats()).toMatchObject({ throttled: 1, retried: 1 });
  });

  it('honours Retry-After as an HTTP date', async () => {
    const fake = await akeneo.start();
    fake.on('GET', /products-uuid\//, (_q, res) => json(res, 429, { code: 429, message: 'slow down' }, { 'Retry-After': new Date(Date.now() + 2000).toUTCString() }), 1);
    const { c } = akeneo.clientWithEvents(fake);
    await c.products.find(UUID);
    const calls = itemCalls(fake);
    // HTTP dates have whole seconds: at least ~1 s, at most ~2 s later.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(900);
    expect(calls[1]!.at - calls[0]!.at).toBeLessThan(2600);
  });

  it('backs off exponentially with jitter on 429 without Retry-After', async () => {
    const fake = await akeneo.start();
    fake.on('GET', /products-uuid\//, (_q, res) => json(res, 429, { code: 429, message: 'slow down' }), 3);
    const { c, events } = akeneo.clientWithEvents(fake, { backoffBaseMs: 40 });
    await c.products.find(UUID);
    const delays = events.filter((e) => e.status === 429).map((e) => e.retryInMs!);
    expect(delays).toHaveLength(3);
    // attempt n waits in [base·2^(n-1)/2, base·2^(n-1)]
    expect(delays[0]).toBeGreaterThanOrEqual(20);
    expect(delays[0]).toBeLessThanOrEqual(40);
    expect(delays[1]).toBeGreaterThanOrEqual(40);
    expect(delays[1]).toBeLessThanOrEqual(80);
    expect(delays[2]).toBeGreaterThanOrEqual(80);
    expect(delays[2]).toBeLessThanOrEqual(160);
  });

  it('retries 5xx and gives up after maxRetries with a typed error', async () => {
    const fake = await akeneo.start();
    fake.on('GET', /products-uuid\//, (_q, res) => json(res, 503, { code: 503, message: 'Service Unavailable' }));
    const { c } = akeneo.clientWithEvents(fake, { limits: { maxRetries: 3 } });
    const err = (await c.products.find(UUID).catch((e: unknown) => e)) as AkeneoError;
    expect(err).toBeInstanceOf(AkeneoError);
    expect(err.status).toBe(503);
    expect(itemCalls(fake)).toHaveLength(4);
    expect(String(err)).toMatch(/GET \/api\/rest\/v1\/products-uuid\/11111111-1111-4111-8111-111111111111 failed with HTTP 503: Service Unavailable\. The PIM failed; retry later/);
  });

  it('retries connection resets on idempotent calls', async () => {
    const fake = await akeneo.start();
    fake.on('GET', /products-uuid\//, (_q, _res, socket) => void socket.destroy(), 2);
    const { c, events } = akeneo.clientWithEvents(fake);
    expect(await c.products.find(UUID)).toBeUndefined();
    expect(itemCalls(fake)).toHaveLength(3);
    expect(events.filter((e) => e.error !== undefined)).toHaveLength(2);
    expect(events.filter((e) => e.error !== undefined).every((e) => e.status === undefined && e.retryInMs !== undefined)).toBe(true);
  });

  it('retries a PATCH upsert after a reset (idempotent)', async () => {
    const fake = await akeneo.start();
    fake.on('PATCH', /products-uuid\//, (_q, _res, socket) => void socket.destroy(), 1);
    const { c } = akeneo.clientWithEvents(fake);
    const r = await c.products.upsert({ uuid: UUID, family: 'shoes' });
    expect(r.outcome).toBe('created');
    expect(itemCalls(fake).filter((q) => q.method === 'PATCH')).toHaveLength(2);
  });

  it('never resends a POST whose request may have reached the server', async () => {
    const fake = await akeneo.start();
    fake.on('POST', /^\/api\/rest\/v1\/products-uuid$/, (_q, _res, socket) => void socket.destroy());
    const { c } = akeneo.clientWithEvents(fake);
    const err = await c.products.create({ uuid: UUID }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AkeneoNetworkError);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/rest/v1/products-uuid')).toHaveLength(1);
  });

  it('never resends a POST after a 500, but does after a 429 (refused before processing)', async () => {
    const fake = await akeneo.start();
    fake.on('POST', /^\/api\/rest\/v1\/products-uuid$/, (_q, res) => json(res, 429, { code: 429, message: 'slow down' }), 1);
    fake.on('POST', /^\/api\/rest\/v1\/products-uuid$/, (_q, res) => json(res, 500, { code: 500, message: 'boom' }), 1);
    fake.on('POST', /^\/api\/rest\/v1\/products-uuid$/, (_q, res) => {
      res.writeHead(201, { Location: `${fake.url}/api/rest/v1/products-uuid/${UUID}` });
      res.end();
    });
    const { c } = akeneo.clientWithEvents(fake);
    const err = (await c.products.create({ uuid: UUID }).catch((e: unknown) => e)) as AkeneoError;
    expect(err.status).toBe(500);
    const posts = fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/rest/v1/products-uuid');
    expect(posts).toHaveLength(2);
    const ok = await c.products.create({ uuid: UUID });
    expect(ok).toMatchObject({ status: 201, outcome: 'created', uuid: UUID });
  });

  it('a PIM that never answered: connection refused fails at once, without retries (a wrong pim.url, a PIM that is down)', async () => {
    const fake = await akeneo.start();
    const url = fake.url;
    await fake.close();
    const events: RequestEvent[] = [];
    const c2 = akeneo.track(createAkeneoClient({ url, auth: { kind: 'app', token: 'tok' }, endpoints: 'uuid', backoffBaseMs: 5, limits: { maxRetries: 2 }, onEvent: (e) => events.push(e) }));
    const err = (await c2.products.create({ uuid: UUID }).catch((e: unknown) => e)) as AkeneoNetworkError;
    expect(err).toBeInstanceOf(AkeneoNetworkError);
    expect(err.code).toBe('ECONNREFUSED');
    expect(events).toHaveLength(1);
    expect(String(err)).toMatch(/connection to http:\/\/127\.0\.0\.1:\d+ refused\. Check pim\.url/);
  });

  it('retries a POST refused before sending (connection refused) once the PIM has answered (a restart)', async () => {
    const fake = await akeneo.start();
    fake.on('GET', /products-uuid\//, (_q, res) => json(res, 404, { code: 404, message: 'not found' }));
    const events: RequestEvent[] = [];
    const c2 = akeneo.track(createAkeneoClient({ url: fake.url, auth: { kind: 'app', token: 'tok' }, endpoints: 'uuid', backoffBaseMs: 5, limits: { maxRetries: 2 }, onEvent: (e) => events.push(e) }));
    await c2.products.find(UUID).catch(() => undefined);
    await fake.close();
    const err = (await c2.products.create({ uuid: UUID }).catch((e: unknown) => e)) as AkeneoNetworkError;
    expect(err).toBeInstanceOf(AkeneoNetworkError);
    expect(err.code).toBe('ECONNREFUSED');
    expect(events.filter((e) => e.method === 'POST')).toHaveLength(3); // 1 + 2 retries: safe, nothing reached the server
  });

  it('times out a silent server and says so', async () => {
    const fake = await akeneo.start();
    fake.on('GET', /products-uuid\//, () => undefined); // never answers
    const { c } = akeneo.clientWithEvents(fake, { timeoutMs: 300, limits: { maxRetries: 1 } });
    const err = (await c.products.find(UUID).catch((e: unknown) => e)) as AkeneoNetworkError;
    expect(err).toBeInstanceOf(AkeneoNetworkError);
    expect(err.timedOut).toBe(true);
    expect(String(err)).toMatch(/no answer from .* within 300 ms.*raise pim\.timeoutMs/);
    expect(itemCalls(fake)).toHaveLength(2);
  });
});

describe('governor', () => {
  it('keeps at most `concurrency` calls in flight', async () => {
    const fake = await akeneo.start({ latencyMs: 30 });
    const { c } = akeneo.clientWithEvents(fake, { limits: { concurrency: 3 } });
    await Promise.all(Array.from({ length: 20 }, () => c.products.find(UUID)));
    expect(fake.peakInFlight).toBe(3);
    expect(c.stats().peakConcurrency).toBe(3);
  });

  it('shrinks concurrency on repeated 429s and grows it back on success', async () => {
    const fake = await akeneo.start({ latencyMs: 10 });
    fake.on('GET', /products-uuid\//, (_q, res) => json(res, 429, { code: 429, message: 'slow down' }, { 'Retry-After': '0' }), 4);
    const { c, events } = akeneo.clientWithEvents(fake, { limits: { concurrency: 4 } });
    await Promise.all(Array.from({ length: 4 }, () => c.products.find(UUID)));
    const limits = events.map((e) => e.concurrencyLimit);
    expect(Math.min(...limits)).toBeLessThan(4);
    // 10 × limit successes per step back up; keep calling until the cap is back.
    for (let i = 0; i < 20 && c.limits().currentConcurrency < 4; i++) await Promise.all(Array.from({ length: 8 }, () => c.products.find(UUID)));
    expect(c.limits().currentConcurrency).toBe(4);
  });

  it('spaces attribute-option writes to the option budget', async () => {
    const fake = await akeneo.start();
    fake.on('PATCH', /options$/, (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/vnd.akeneo.collection+json' });
      res.end(req.text.split('\n').map((l, i) => JSON.stringify({ line: i + 1, code: (JSON.parse(l) as { code: string }).code, status_code: 201 })).join('\n'));
    });
    const { c } = akeneo.clientWithEvents(fake, { limits: { optionWritesPerSecond: 5 } });
    const options = Array.from({ length: 6 * 100 }, (_, i) => ({ code: `o${i}`, attribute: 'color' }));
    const results = await c.attributeOptions('color').upsertMany(options);
    expect(results.every((r) => r.outcome === 'created')).toBe(true);
    const calls = fake.requests.filter((r) => r.path === '/api/rest/v1/attributes/color/options');
    expect(calls).toHaveLength(6);
    // 5 per second window: the 6th leaves a second after the 1st (server-side arrival times
    // jitter on a loaded machine, hence the margin; without the budget they arrive within ms).
    expect(calls[5]!.at - calls[0]!.at).toBeGreaterThanOrEqual(800);
    expect(JSON.parse(calls[0]!.text.split('\n')[0]!)).toEqual({ code: 'o0', attribute: 'color' });
  });

  it('keeps the request rate under requestsPerSecond in any one-second window', async () => {
    const fake = await akeneo.start();
    const { c } = akeneo.clientWithEvents(fake, { limits: { requestsPerSecond: 20, concurrency: 4 } });
    await Promise.all(Array.from({ length: 45 }, () => c.products.find(UUID)));
    const times = itemCalls(fake).map((r) => r.at).sort((a, b) => a - b);
    // Arrival times jitter on a loaded machine; unthrottled, 21 calls would arrive within a few ms.
    for (let i = 0; i + 20 < times.length; i++) expect(times[i + 20]! - times[i]!).toBeGreaterThanOrEqual(800);
  });
});
