import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, openSandbox } from './helpers.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';

describe('sandbox auth', () => {
  let sb: RunningSandbox;
  let api: Api;
  beforeAll(async () => {
    ({ sb, api } = await openSandbox({ catalog: 'empty', tokenLifetimeSeconds: 1 }));
  });
  afterAll(() => sb.close());

  const token = (body: unknown, authorization?: string, type = 'application/json') =>
    api.raw('POST', '/api/oauth/v1/token', {
      headers: { 'content-type': type, authorization: authorization ?? api.basic() },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('password grant returns Akeneo’s token shape', async () => {
    const r = await token({ grant_type: 'password', username: 'admin', password: 'admin' });
    expect(r.status).toBe(200);
    const body = r.json();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    expect(body['expires_in']).toBe(1);
    expect(body['token_type']).toBe('bearer');
    expect(body['scope']).toBeNull();
  });

  it('accepts form-encoded bodies', async () => {
    const r = await token('grant_type=password&username=admin&password=admin', undefined, 'application/x-www-form-urlencoded');
    expect(r.status).toBe(200);
  });

  it.each([
    [{ username: 'admin', password: 'admin' }, undefined, 'Parameter "grant_type", "username" or "password" is missing, empty or invalid'],
    [{ grant_type: 'password', username: 'admin' }, undefined, 'Parameter "grant_type", "username" or "password" is missing, empty or invalid'],
    [{ grant_type: 'password', username: 'admin', password: 'nope' }, undefined, 'No user found for the given username and password'],
    [
      { grant_type: 'password', username: 'admin', password: 'admin' },
      `Basic ${Buffer.from('ferry:wrong').toString('base64')}`,
      'Parameter "client_id" is missing or does not match any client, or secret is invalid',
    ],
    [{ grant_type: 'refresh_token' }, undefined, 'Parameter "grant_type" or "refresh_token" is missing or empty'],
    [{ grant_type: 'refresh_token', refresh_token: 'bogus' }, undefined, 'Refresh token is invalid or has expired'],
    [{ grant_type: 'client_credentials' }, undefined, 'This grant type is not authorized for this client'],
  ])('token error %#', async (body, auth, message) => {
    const r = await token(body, auth);
    expect(r.status).toBe(422);
    expect(r.json()).toEqual({ code: 422, message });
  });

  it('refresh grant rotates the refresh token', async () => {
    const first = (await token({ grant_type: 'password', username: 'admin', password: 'admin' })).json<{ refresh_token: string }>();
    const second = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(second.status).toBe(200);
    const again = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(again.json()).toEqual({ code: 422, message: 'Refresh token is invalid or has expired' });
  });

  it('401 bodies for missing, invalid and expired tokens', async () => {
    const missing = await api.raw('GET', '/api/rest/v1/channels');
    expect(missing.status).toBe(401);
    expect(missing.json()).toEqual({ code: 401, message: 'Authentication is required' });
    const basic = await api.raw('GET', '/api/rest/v1/channels', { headers: { authorization: api.basic() } });
    expect(basic.json()).toEqual({ code: 401, message: 'Authentication is required' });
    const invalid = await api.raw('GET', '/api/rest/v1/channels', { headers: { authorization: 'Bearer invalidToken' } });
    expect(invalid.json()).toEqual({ code: 401, message: 'The access token provided is invalid.' });

    await api.login();
    expect((await api.get('/api/rest/v1/channels')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await api.get('/api/rest/v1/channels');
    expect(expired.status).toBe(401);
    expect(expired.json()).toEqual({ code: 401, message: 'The access token provided has expired.' });
  });

  it('App flow: code exchange with code_challenge = sha256hex(code_identifier + secret)', async () => {
    const auth = await api.raw('GET', `/connect/apps/v1/authorize?response_type=code&client_id=${sb.clientId}&scope=read_products&state=xyz`);
    expect(auth.status).toBe(200);
    const { code, state } = auth.json<{ code: string; state: string }>();
    expect(state).toBe('xyz');
    const identifier = 'a'.repeat(64);
    const form = (challenge: string, c = code) =>
      api.raw('POST', '/connect/apps/v1/oauth2/token', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: sb.clientId, code: c, grant_type: 'authorization_code', code_identifier: identifier, code_challenge: challenge }).toString(),
      });
    const wrong = await form('deadbeef');
    expect(wrong.status).toBe(400);
    expect(wrong.json()['error']).toBe('invalid_client');
    const challenge = createHash('sha256').update(identifier + sb.secret).digest('hex');
    const ok = await form(challenge);
    expect(ok.status).toBe(200);
    const body = ok.json<{ access_token: string; token_type: string; scope: string }>();
    expect(body.token_type).toBe('bearer');
    expect(body.scope).toBe('read_products');
    expect(body).not.toHaveProperty('refresh_token');
    // App tokens never expire (the connection token lifetime here is 1 s).
    await new Promise((r) => setTimeout(r, 1100));
    const use = await api.raw('GET', '/api/rest/v1/channels', { headers: { authorization: `Bearer ${body.access_token}` } });
    expect(use.status).toBe(200);
    const reuse = await form(challenge);
    expect(reuse.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('authorize redirects to redirect_uri with code and state', async () => {
    const r = await fetch(`${sb.url}/connect/apps/v1/authorize?response_type=code&client_id=${sb.clientId}&state=s1&redirect_uri=${encodeURIComponent('http://app.test/cb')}`, { redirect: 'manual' });
    expect(r.status).toBe(302);
    const loc = new URL(r.headers.get('location') ?? '');
    expect(loc.origin + loc.pathname).toBe('http://app.test/cb');
    expect(loc.searchParams.get('state')).toBe('s1');
    expect(loc.searchParams.get('code')).toBeTruthy();
  });
});
