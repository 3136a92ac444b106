import { describe, expect, it } from 'vitest';
import { AkeneoAuthError, AkeneoError, AkeneoNetworkError, createAkeneoClient } from '../../src/akeneo/index.js';
import { json } from './support/fake-akeneo.js';
import { fakeAkeneoPerTest } from './support/per-test.js';

const akeneo = fakeAkeneoPerTest();

describe('AkeneoError.toString', () => {
  it('reads as an actionable sentence with the validation problems', () => {
    const err = new AkeneoError({
      status: 422,
      message: 'Validation failed.',
      method: 'PATCH',
      path: '/api/rest/v1/products-uuid/{uuid}',
      errors: [
        { property: 'values', message: 'The tommh value is not in the brand attribute option list.', attribute: 'brand', locale: null, scope: null },
        { property: 'values', message: 'This value is too long.', attribute: 'name', locale: 'fr_FR', scope: 'ecommerce' },
      ],
      documentation: 'https://api.akeneo.com/documentation/responses.html#422-error',
    });
    expect(String(err)).toBe(
      'PATCH /api/rest/v1/products-uuid/{uuid} failed with HTTP 422: Validation failed. Problems: brand: The tommh value is not in the brand attribute option list.; name (fr_FR, ecommerce): This value is too long. Fix the data named above and send it again. See https://api.akeneo.com/documentation/responses.html#422-error',
    );
  });

  it('keeps secrets out of messages and paths', () => {
    const err = new AkeneoError({ status: 500, message: 'oops password=hunter2 Bearer abc.def', method: 'GET', path: 'https://user:pw@pim/api?access_token=zzz&limit=1' });
    expect(String(err)).not.toContain('hunter2');
    expect(String(err)).not.toContain('abc.def');
    expect(String(err)).not.toContain('zzz');
    expect(String(err)).not.toContain('user:pw');
    expect(err.path).toContain('limit=1');
  });

  it('refuses a base URL that is not one', () => {
    expect(() => createAkeneoClient({ url: 'acme.cloud.akeneo.com', auth: { kind: 'app', token: 't' } })).toThrow(/pim\.url "acme\.cloud\.akeneo\.com" is not a URL; write it like https:\/\//);
    expect(() => createAkeneoClient({ url: 'ftp://pim', auth: { kind: 'app', token: 't' } })).toThrow(/must start with https:\/\//);
  });

  it('network and auth errors have their own hints', () => {
    expect(String(new AkeneoNetworkError({ message: 'connection to http://x refused', method: 'GET', path: '/a', code: 'ECONNREFUSED' }))).toMatch(/Check pim\.url/);
    expect(String(new AkeneoAuthError({ status: 422, message: 'x', problem: 'user' }))).toMatch(/pim\.username and pim\.password/);
  });
});

describe('secrets never leave the client', () => {
  it('appear in no event, error message or error property', async () => {
    const fake = await akeneo.start();
    const secret = fake.options.secret;
    const password = fake.options.password;
    // A server that echoes back what it received, as some proxies do in error pages.
    fake.on('GET', /products-uuid\//, (req, res) => json(res, 500, { code: 500, message: `failed for ${req.headers.authorization} with ${password} and ${secret}` }));
    const { c, events } = akeneo.clientWithEvents(fake, { limits: { maxRetries: 1 } });
    const err = (await c.products.get('11111111-1111-4111-8111-111111111111').catch((e: unknown) => e)) as AkeneoError;
    expect(err).toBeInstanceOf(AkeneoError);
    const tokens = [...fake.accessTokens.keys()];
    const everything = [String(err), err.message, JSON.stringify(err), JSON.stringify(events), String(err.path)].join('\n');
    for (const s of [secret, password, ...tokens, Buffer.from(`${fake.options.clientId}:${secret}`).toString('base64')]) expect(everything).not.toContain(s);
    expect(events.length).toBeGreaterThan(2);
    expect(events.every((e) => !('url' in e) && !e.route.includes('?'))).toBe(true);
  });

  it('keep out of token errors', async () => {
    const fake = await akeneo.start();
    fake.on('POST', /token$/, (req, res) => json(res, 422, { code: 422, message: `bad body ${req.text} ${req.headers.authorization}` }));
    const c = akeneo.client(fake);
    const err = (await c.products.find('x').catch((e: unknown) => e)) as AkeneoError;
    const text = [String(err), err.message].join(' ');
    expect(text).not.toContain(fake.options.password);
    expect(text).not.toContain(fake.options.secret);
    expect(text).not.toContain(Buffer.from(`${fake.options.clientId}:${fake.options.secret}`).toString('base64'));
  });
});

describe('client logs', () => {
  it('log every request without secrets', async () => {
    const { createAkeneoClientFromConfig } = await import('../../src/akeneo/index.js');
    const { createLogger } = await import('../../src/logging.js');
    const { Writable } = await import('node:stream');
    const fake = await akeneo.start();
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString('utf8'));
        cb();
      },
    });
    const logger = createLogger({ level: 'debug' }, sink);
    const o = fake.options;
    const c = createAkeneoClientFromConfig(
      { url: fake.url, clientId: o.clientId, secret: o.secret, username: o.username, password: o.password, endpoints: 'uuid', timeoutMs: 5000, limits: { concurrency: 4, requestsPerSecond: 100, optionWritesPerSecond: 3, maxRetries: 0 } },
      { logger },
    );
    akeneo.track(c);
    await c.products.find('11111111-1111-4111-8111-111111111111');
    await new Promise((r) => setImmediate(r));
    const text = lines.join('');
    expect(text).toMatch(/GET \/api\/rest\/v1\/products-uuid\/\{uuid\} → 404/);
    expect(text).toMatch(/POST \/api\/oauth\/v1\/token → 200/);
    for (const s of [o.secret, o.password, ...fake.accessTokens.keys()]) expect(text).not.toContain(s);
  });
});
