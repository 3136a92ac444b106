/**
 * The sandbox on a developer's machine: a web page in their browser must not change it, its
 * unauthenticated routes take small bodies only, and a bad redirect_uri is a 400, not a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { Api, openSandbox } from './helpers.js';

let sb: RunningSandbox;
let api: Api;
beforeAll(async () => {
  ({ sb, api } = await openSandbox({ catalog: 'demo' }));
});
afterAll(() => sb.close());

describe('state-changing /_sandbox/* routes', () => {
  it('refuse a request a cross-site page can send (no header, form content type)', async () => {
    await api.call('POST', '/api/rest/v1/products', { identifier: 'keep-me' });
    const simple = await fetch(`${sb.url}/_sandbox/reset`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(simple.status).toBe(403);
    expect(await simple.text()).toContain('X-Ferry-Sandbox: 1');
    expect(sb.stats().products).toBe(1);
  });

  it('refuse a foreign Origin even with the header', async () => {
    const r = await fetch(`${sb.url}/_sandbox/reset`, { method: 'POST', headers: { 'x-ferry-sandbox': '1', origin: 'https://evil.example' } });
    expect(r.status).toBe(403);
    expect(sb.stats().products).toBe(1);
  });

  it('accept the header, or a sandbox token, from the sandbox itself', async () => {
    expect((await fetch(`${sb.url}/_sandbox/reset`, { method: 'POST', headers: { 'x-ferry-sandbox': '1', origin: sb.url } })).status).toBe(204);
    await api.call('POST', '/api/rest/v1/products', { identifier: 'again' });
    expect((await fetch(`${sb.url}/_sandbox/reset`, { method: 'POST', headers: { authorization: `Bearer ${api.token}` } })).status).toBe(204);
    expect(sb.stats().products).toBe(0);
    expect((await fetch(`${sb.url}/_sandbox/stats`)).status).toBe(200); // reading needs nothing
  });
});

describe('body limits per route', () => {
  it('a large body on an unauthenticated route is refused with 413 before it is read', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x61);
    expect((await fetch(`${sb.url}/api/oauth/v1/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big })).status).toBe(413);
    expect((await fetch(`${sb.url}/_sandbox/reset`, { method: 'POST', headers: { 'x-ferry-sandbox': '1', 'content-type': 'application/json' }, body: big })).status).toBe(413);
  });

  it('API writes take batches; media uploads take large files', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => JSON.stringify({ identifier: `bulk-${i}`, values: { name: [{ locale: null, scope: null, data: 'x'.repeat(10_000) }] } })).join('\n');
    const batch = await fetch(`${sb.url}/api/rest/v1/products`, { method: 'PATCH', headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/vnd.akeneo.collection+json' }, body: lines });
    expect(batch.status).toBe(200);
    const form = new FormData();
    form.set('product', JSON.stringify({ identifier: 'bulk-0', attribute: 'packshot', scope: null, locale: null }));
    form.set('file', new Blob([Buffer.alloc(20 * 1024 * 1024, 1)]), 'big.png');
    const upload = await fetch(`${sb.url}/api/rest/v1/media-files`, { method: 'POST', headers: { authorization: `Bearer ${api.token}` }, body: form });
    expect(upload.status).not.toBe(413);
  });
});

describe('App authorize', () => {
  it.each(['not a url', 'javascript:alert(1)', '/relative/path'])('answers 400 invalid_request to redirect_uri %s', async (redirect) => {
    const r = await fetch(`${sb.url}/connect/apps/v1/authorize?response_type=code&client_id=${sb.clientId}&redirect_uri=${encodeURIComponent(redirect)}`, { redirect: 'manual' });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: string; error_description: string };
    expect(body.error).toBe('invalid_request');
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
  });
});
