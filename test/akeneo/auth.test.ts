import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { AkeneoAuthError, authorizeUrl, codeChallenge, createAkeneoClient, exchangeAuthorizationCode, stateMatches } from '../../src/akeneo/index.js';
import { clientOptionsFor, json } from './support/fake-akeneo.js';
import { fakeAkeneoPerTest } from './support/per-test.js';

const akeneo = fakeAkeneoPerTest();

describe('connection auth', () => {
  it('sends one token request however many calls wait for it', async () => {
    const fake = await akeneo.start({ latencyMs: 5 });
    const c = akeneo.client(fake);
    const results = await Promise.all(Array.from({ length: 25 }, () => c.products.find('00000000-0000-4000-8000-000000000000')));
    expect(results.every((r) => r === undefined)).toBe(true);
    expect(fake.tokenRequests).toHaveLength(1);
    expect(fake.tokenRequests[0]!.grant).toBe('password');
    const tokenCall = fake.requests.find((r) => r.path === '/api/oauth/v1/token')!;
    expect(tokenCall.headers.authorization).toBe(`Basic ${Buffer.from(`${fake.options.clientId}:${fake.options.secret}`).toString('base64')}`);
    expect(JSON.parse(tokenCall.text)).toEqual({ grant_type: 'password', username: fake.options.username, password: fake.options.password });
  });

  it('refreshes proactively with the refresh token before expiry', async () => {
    const fake = await akeneo.start({ tokenLifetimeSeconds: 1 });
    const { c, events } = akeneo.clientWithEvents(fake);
    await c.products.find('00000000-0000-4000-8000-000000000000');
    // Lifetime 1 s: the client refreshes at 90 % of it, before the server would refuse the token.
    await new Promise((r) => setTimeout(r, 950));
    await Promise.all([1, 2, 3].map(() => c.products.find('00000000-0000-4000-8000-000000000000')));
    expect(fake.tokenRequests.map((t) => t.grant)).toEqual(['password', 'refresh_token']);
    // No call went out with a dying token: nothing was refused.
    expect(events.filter((e) => e.status === 401)).toEqual([]);
    const refresh = fake.requests.filter((r) => r.path === '/api/oauth/v1/token')[1]!;
    expect(JSON.parse(refresh.text)).toMatchObject({ grant_type: 'refresh_token' });
  });

  it('falls back to the password grant when the refresh token is refused', async () => {
    const fake = await akeneo.start({ tokenLifetimeSeconds: 1 });
    const c = akeneo.client(fake);
    await c.products.find('00000000-0000-4000-8000-000000000000');
    fake.refreshTokens.clear(); // e.g. expired after 14 days
    await new Promise((r) => setTimeout(r, 950));
    await c.products.find('00000000-0000-4000-8000-000000000000');
    expect(fake.tokenRequests.map((t) => t.grant)).toEqual(['password', 'refresh_token', 'password']);
  });

  it('on a 401 refreshes once and replays the call once, for all concurrent callers', async () => {
    const fake = await akeneo.start({ latencyMs: 20 });
    const { c, events } = akeneo.clientWithEvents(fake);
    await c.products.find('00000000-0000-4000-8000-000000000000');
    fake.expireAccessTokens();
    const results = await Promise.all(Array.from({ length: 8 }, () => c.products.find('00000000-0000-4000-8000-000000000000')));
    expect(results).toHaveLength(8);
    // First token, then exactly one refresh despite 8 calls seeing 401 with the same token
    // (the 4 in flight with the old token; the 4 queued may already carry the new one).
    expect(fake.tokenRequests.map((t) => t.grant)).toEqual(['password', 'refresh_token']);
    const unauthorized = events.filter((e) => e.status === 401);
    expect(unauthorized.length).toBeGreaterThan(0);
    expect(unauthorized.length).toBeLessThanOrEqual(8);
  });

  it('does not loop when a fresh token is refused too', async () => {
    const fake = await akeneo.start();
    fake.on('GET', /products-uuid\//, (_req, res) => json(res, 401, { code: 401, message: 'Authentication is required' }));
    const c = akeneo.client(fake);
    const err = await c.products.get('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AkeneoAuthError);
    expect(fake.requests.filter((r) => r.path.includes('products-uuid/'))).toHaveLength(2);
    expect(fake.tokenRequests).toHaveLength(2);
  });

  it('names the wrong credential: client id / secret', async () => {
    const fake = await akeneo.start();
    const c = akeneo.track(createAkeneoClient({ ...clientOptionsFor(fake), auth: { kind: 'connection', clientId: fake.options.clientId, secret: 'wrong-secret-value', username: fake.options.username, password: fake.options.password } }));
    const err = (await c.products.find('x').catch((e: unknown) => e)) as AkeneoAuthError;
    expect(err).toBeInstanceOf(AkeneoAuthError);
    expect(err.problem).toBe('client');
    expect(err.status).toBe(422);
    expect(err.toString()).toMatch(/client id or secret/);
    expect(err.toString()).toMatch(/pim\.clientId and pim\.secret/);
    expect(err.toString()).not.toContain('wrong-secret-value');
    expect(fake.tokenRequests).toHaveLength(1); // a 422 is not retried
  });

  it('names the wrong credential: username / password', async () => {
    const fake = await akeneo.start();
    const c = akeneo.track(createAkeneoClient({ ...clientOptionsFor(fake), auth: { kind: 'connection', clientId: fake.options.clientId, secret: fake.options.secret, username: fake.options.username, password: 'not-the-password' } }));
    const err = (await c.products.find('x').catch((e: unknown) => e)) as AkeneoAuthError;
    expect(err.problem).toBe('user');
    expect(err.toString()).toMatch(/username or password/);
    expect(err.toString()).toMatch(/pim\.username and pim\.password/);
    expect(err.toString()).not.toContain('not-the-password');
    expect(err.stack === undefined || !String(err).includes('    at ')).toBe(true);
  });

  it('uses an App token as a static bearer and reports its refusal clearly', async () => {
    const fake = await akeneo.start();
    fake.accessTokens.set('app-token-value-123', Date.now() + 60_000);
    const c = akeneo.track(createAkeneoClient({ url: fake.url, auth: { kind: 'app', token: 'app-token-value-123' }, endpoints: 'uuid' }));
    await c.products.find('00000000-0000-4000-8000-000000000000');
    expect(fake.tokenRequests).toHaveLength(0);
    expect(fake.apiRequests()[0]!.headers.authorization).toBe('Bearer app-token-value-123');
    fake.accessTokens.clear();
    const err = (await c.products.find('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e)) as AkeneoAuthError;
    expect(err).toBeInstanceOf(AkeneoAuthError);
    expect(err.problem).toBe('token');
    expect(String(err)).toMatch(/App token/);
    expect(String(err)).not.toContain('app-token-value-123');
  });
});

describe('App authorization-code helpers', () => {
  it('builds the authorize URL with a state', () => {
    const { url, state } = authorizeUrl({ pimUrl: 'https://pim.example.com/', clientId: 'app-client', scopes: ['read_products', 'write_products'] });
    const u = new URL(url);
    expect(u.origin + u.pathname).toBe('https://pim.example.com/connect/apps/v1/authorize');
    expect(u.searchParams.get('response_type')).toBe('code');
    expect(u.searchParams.get('client_id')).toBe('app-client');
    expect(u.searchParams.get('scope')).toBe('read_products write_products');
    expect(u.searchParams.get('state')).toBe(state);
    expect(state).toMatch(/^[0-9a-f]{32}$/);
    expect(stateMatches(state, state)).toBe(true);
    expect(stateMatches(state, 'forged')).toBe(false);
    expect(stateMatches(state, null)).toBe(false);
  });

  it('computes the code challenge as sha256hex(code_identifier + client_secret)', () => {
    expect(codeChallenge('abc', 'secret')).toBe(createHash('sha256').update('abcsecret').digest('hex'));
    expect(codeChallenge('abc', 'secret')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('exchanges the code for a token and reports OAuth errors', async () => {
    const fake = await akeneo.start();
    fake.on('POST', /^\/connect\/apps\/v1\/oauth2\/token$/, (req, res) => {
      const form = new URLSearchParams(req.text);
      const expected = createHash('sha256').update(`${form.get('code_identifier')}app-secret`).digest('hex');
      if (form.get('code') !== 'good-code') return json(res, 400, { error: 'invalid_grant', error_description: 'Code has expired' });
      if (form.get('code_challenge') !== expected || form.get('grant_type') !== 'authorization_code' || form.has('client_secret')) {
        return json(res, 400, { error: 'invalid_client' });
      }
      json(res, 200, { access_token: 'app-access', token_type: 'bearer', scope: 'read_products write_products' });
    });
    const token = await exchangeAuthorizationCode({ pimUrl: fake.url, clientId: 'app', clientSecret: 'app-secret', code: 'good-code' });
    expect(token).toEqual({ accessToken: 'app-access', scope: ['read_products', 'write_products'] });
    const err = (await exchangeAuthorizationCode({ pimUrl: fake.url, clientId: 'app', clientSecret: 'app-secret', code: 'old' }).catch((e: unknown) => e)) as AkeneoAuthError;
    expect(err).toBeInstanceOf(AkeneoAuthError);
    expect(String(err)).toMatch(/Code has expired/);
    expect(String(err)).not.toContain('app-secret');
  });
});
