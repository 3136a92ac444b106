import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErpError } from '../../../src/erp/port.js';
import { TrytonRpc } from '../../../src/erp/tryton/rpc.js';
import { createTrytonSource } from '../../../src/erp/tryton/index.js';
import { startTryton, type RunningTryton } from '../../support/tryton/index.js';
import { corruptSession } from '../../support/tryton/session.js';
import { skipTryton } from './helpers.js';

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 1;
      s.close(() => resolve(port));
    });
  });
}

describe('Tryton JSON-RPC client: unreachable server', () => {
  it('names host and port when nothing listens', async () => {
    const port = await closedPort();
    const rpc = new TrytonRpc({ url: `http://127.0.0.1:${port}`, database: 'erp', username: 'admin', password: 's3cret-pw' });
    const error = await rpc.login().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErpError);
    expect((error as ErpError).code).toBe('unreachable');
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect((error as Error).message).not.toContain('s3cret-pw');
  });

  it('check() reports the problem instead of throwing', async () => {
    const port = await closedPort();
    const source = createTrytonSource({ type: 'tryton', url: `http://127.0.0.1:${port}`, database: 'erp', username: 'admin', password: 'x1y2z3' });
    const result = await source.check();
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toContain(`127.0.0.1:${port}`);
  });
});

describe.skipIf(skipTryton)('Tryton JSON-RPC client against a real Tryton', () => {
  let tryton: RunningTryton;
  beforeAll(async () => {
    tryton = await startTryton({ seed: 'none', sessionMaxAgeSeconds: 2 });
  });
  afterAll(async () => {
    await tryton?.close();
  });

  const rpcFor = (overrides: Partial<{ username: string; password: string; database: string }> = {}): TrytonRpc =>
    new TrytonRpc({ url: tryton.url, database: tryton.database, username: tryton.username, password: tryton.password, ...overrides });

  it('logs in and calls a model method with the Session header', async () => {
    const rpc = rpcFor();
    await rpc.login();
    expect(rpc.userId).toBeGreaterThan(0);
    const prefs = (await rpc.call('model.res.user.get_preferences', [true, {}])) as { company: number };
    expect(prefs.company).toBe(1);
    expect(rpc.stats.logins).toBe(1);
    await rpc.logout();
  });

  it('logs in again when the server let the session expire', async () => {
    const rpc = rpcFor();
    await rpc.login();
    await rpc.call('model.res.user.get_preferences', [true, {}]);
    // [session] max_age = 2 s: the server now answers 401 to the old session.
    await new Promise((r) => setTimeout(r, 3500));
    const prefs = (await rpc.call('model.res.user.get_preferences', [true, {}])) as { company: number };
    expect(prefs.company).toBe(1);
    expect(rpc.stats.logins).toBe(2);
  });

  it('logs in again when the session key is no longer known', async () => {
    const rpc = rpcFor();
    await rpc.login();
    corruptSession(rpc);
    const version = await rpc.call('model.res.user.get_preferences', [true, {}]);
    expect(version).toBeTruthy();
    expect(rpc.stats.logins).toBe(2);
  });

  it('says which credential was refused, without the password', async () => {
    const error = await rpcFor({ password: 'definitely-wrong' })
      .login()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErpError);
    expect((error as ErpError).code).toBe('auth');
    expect((error as Error).message).toMatch(/refused the login of user "admin" on database "ferry".*erp\.password/);
    expect((error as Error).message).not.toContain('definitely-wrong');
  });

  it('names a database that does not exist, with the ones that do', async () => {
    const error = await rpcFor({ database: 'nope' })
      .login()
      .catch((e: unknown) => e);
    expect((error as ErpError).code).toBe('config');
    expect((error as Error).message).toContain('no database "nope"');
    expect((error as Error).message).toContain('ferry');
  });

  it('decodes Tryton error tuples into the message', async () => {
    const rpc = rpcFor();
    const error = await rpc.call('model.product.template.create', [[{ name: 'x' }], {}]).catch((e: unknown) => e);
    expect((error as Error).message).toContain('A value is required for field "Default UOM"');
    const unknown = await rpc.call('model.product.product.search', [[['nonexistent', '=', 1]], 0, 1, null, {}]).catch((e: unknown) => e);
    expect((unknown as Error).message).toContain("unknown field or key 'nonexistent'");
    const forbidden = await rpc.call('model.product.product.no_such_method', [{}]).catch((e: unknown) => e);
    expect((forbidden as Error).message).toContain('HTTP 403');
  });

  it('shares one login between concurrent calls', async () => {
    const rpc = rpcFor();
    const results = await Promise.all(Array.from({ length: 5 }, () => rpc.call('model.res.user.get_preferences', [true, {}])));
    expect(results).toHaveLength(5);
    expect(rpc.stats.logins).toBe(1);
  });

  it('check() names the refused credential and leaves the password out', async () => {
    const source = createTrytonSource({ type: 'tryton', url: tryton.url, database: tryton.database, username: 'admin', password: 'not-the-password' });
    const result = await source.check();
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toContain('erp.password');
    expect(JSON.stringify(result)).not.toContain('not-the-password');
  });

  it('refuses a language the database does not have', async () => {
    const source = createTrytonSource({ type: 'tryton', url: tryton.url, database: tryton.database, username: 'admin', password: 'admin', languages: ['en', 'xx'] });
    const result = await source.check();
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toContain('no language "xx"');
    await source.close();
  });
});
