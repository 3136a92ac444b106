/**
 * ferry.yaml through the Console's API: comments and layout kept byte for byte outside the edited
 * keys, a file changed on disk is never overwritten (409), invalid values are refused with their
 * key path (422) and nothing is written, secrets typed in go to the encrypted file and never come
 * back, the CLI's loader resolves the same `${secret:NAME}`, and every save is kept and restorable.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createConsole, type ConsoleServer } from '../../src/server/app.js';
import type { ConfigFile, ConfigHistoryDetail, ConfigSaved } from '../../src/server/api/contract.js';
import { tempDirs } from '../sync/support/e2e.js';
import { signIn, silent, type Session } from './support.js';

const tempDir = tempDirs('ferry-config-api-');
const servers: ConsoleServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const ORIGINAL = `# Ferry for ACME: the PIM team owns this file, keep the comments.
pim:
  url: http://127.0.0.1:8081     # the sandbox
  clientId: ferry
  secret: \${FERRY_TEST_PIM_SECRET:-ferry-secret}
  username: admin
  password: literal-password-77
  limits: { concurrency: 2, requestsPerSecond: 50 }

# The demo ERP, generated on first use.
erp:
  type: demo
  path: ./data/demo-erp.sqlite   # relative to this file
  items: 40
  seed: 7
mapping:
  preset: demo
state:
  path: ./data/ferry.db
`;

async function start(): Promise<{ server: ConsoleServer; file: string; admin: Session; viewer: Session; operator: Session }> {
  const dir = tempDir();
  const file = join(dir, 'ferry.yaml');
  writeFileSync(file, ORIGINAL);
  const config = ferryConfigSchema.parse({
    pim: { url: 'http://127.0.0.1:8081', clientId: 'ferry', secret: 'x', username: 'admin', password: 'y' },
    erp: { type: 'demo', path: join(dir, 'data', 'demo-erp.sqlite') },
    state: { path: join(dir, 'ferry.db') },
  });
  const server = await createConsole({ config, configFile: file, logger: silent, env: { FERRY_SECRET_KEY: 'test-key-one' } });
  servers.push(server);
  for (const role of ['admin', 'operator', 'viewer'] as const) await server.ctx.auth.addUser(role, role, `${role}-password-1`);
  return { server, file, admin: await signIn(server, 'admin', 'admin-password-1'), operator: await signIn(server, 'operator', 'operator-password-1'), viewer: await signIn(server, 'viewer', 'viewer-password-1') };
}

async function read(server: ConsoleServer, s: Session): Promise<ConfigFile> {
  const res = await server.app.inject({ method: 'GET', url: '/api/v1/config', headers: s.headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as ConfigFile;
}

describe('GET /api/v1/config', () => {
  it('answers the text as written with literal secrets redacted, its version and no problems', async () => {
    const { server, operator, viewer } = await start();
    const got = await read(server, operator);
    expect(got.exists).toBe(true);
    expect(got.problems).toEqual([]);
    expect(got.version).toMatch(/^[0-9a-f]{64}$/);
    expect(got.yaml).toBe(ORIGINAL.replace('literal-password-77', '"********"'));
    expect((got.parsed as { pim: Record<string, unknown> }).pim.password).toBe('********');
    // a reference is not a secret: it stays visible
    expect((got.parsed as { pim: Record<string, unknown> }).pim.secret).toBe('${FERRY_TEST_PIM_SECRET:-ferry-secret}');
    expect(JSON.stringify(got)).not.toContain('literal-password-77');
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/config', headers: viewer.headers });
    expect(res.statusCode).toBe(403);
  });
});

describe('PUT /api/v1/config', () => {
  it('changes only the edited keys: every other byte stays as it was', async () => {
    const { server, file, admin } = await start();
    const { version } = await read(server, admin);
    const res = await server.app.inject({
      method: 'PUT',
      url: '/api/v1/config',
      headers: admin.headers,
      payload: { baseVersion: version, changes: [{ path: 'pim.url', value: 'http://127.0.0.1:9999' }, { path: 'erp.items', value: 80 }, { path: 'pim.timeoutMs', value: 5000 }] },
    });
    expect(res.statusCode, res.body).toBe(200);
    const saved = res.json() as ConfigSaved;
    expect(saved.saved).toBe(true);
    const expected = ORIGINAL.replace('url: http://127.0.0.1:8081     #', 'url: http://127.0.0.1:9999     #')
      .replace('  items: 40\n', '  items: 80\n')
      .replace('  limits: { concurrency: 2, requestsPerSecond: 50 }\n', '  limits: { concurrency: 2, requestsPerSecond: 50 }\n  timeoutMs: 5000\n');
    expect(readFileSync(file, 'utf8')).toBe(expected);
    expect(saved.diff).toContain('-  url: http://127.0.0.1:8081     # the sandbox');
    expect(saved.diff).toContain('+  url: http://127.0.0.1:9999     # the sandbox');
    expect(saved.diff).toContain('+  timeoutMs: 5000');
    expect(saved.version).toBe((await read(server, admin)).version);
    // a dry run answers the diff and writes nothing
    const dry = await server.app.inject({ method: 'PUT', url: '/api/v1/config', headers: admin.headers, payload: { baseVersion: saved.version, dryRun: true, changes: [{ path: 'erp.items', value: 90 }] } });
    expect(dry.statusCode).toBe(200);
    expect((dry.json() as ConfigSaved).saved).toBe(false);
    expect((dry.json() as ConfigSaved).diff).toContain('+  items: 90');
    expect(readFileSync(file, 'utf8')).toBe(expected);
    // A section replaced by another shape (preset → identity): in place, the rest untouched.
    const swap = await server.app.inject({ method: 'PUT', url: '/api/v1/config', headers: admin.headers, payload: { baseVersion: saved.version, changes: [{ path: 'mapping', value: { identity: { enabled: true } } }] } });
    expect(swap.statusCode, swap.body).toBe(200);
    expect(readFileSync(file, 'utf8')).toBe(expected.replace('mapping:\n  preset: demo\n', 'mapping:\n  identity:\n    enabled: true\n'));
  });

  it('refuses to overwrite a file changed on disk since it was loaded (409), then saves on the new version', async () => {
    const { server, file, admin } = await start();
    const { version } = await read(server, admin);
    writeFileSync(file, `${ORIGINAL}sync:\n  deletion: ignore   # set from the terminal\n`);
    const res = await server.app.inject({ method: 'PUT', url: '/api/v1/config', headers: admin.headers, payload: { baseVersion: version, changes: [{ path: 'erp.items', value: 80 }] } });
    expect(res.statusCode).toBe(409);
    const body = res.json() as { error: { code: string; message: string }; currentVersion: string };
    expect(body.error.code).toBe('conflict');
    expect(body.error.message).toMatch(/changed on disk.*reload/);
    expect(readFileSync(file, 'utf8')).toContain('deletion: ignore   # set from the terminal');
    const again = await server.app.inject({ method: 'PUT', url: '/api/v1/config', headers: admin.headers, payload: { baseVersion: body.currentVersion, changes: [{ path: 'erp.items', value: 80 }] } });
    expect(again.statusCode, again.body).toBe(200);
    expect(readFileSync(file, 'utf8')).toContain('deletion: ignore   # set from the terminal');
    expect(readFileSync(file, 'utf8')).toContain('items: 80');
  });

  it('refuses invalid values with each key path (422) and writes nothing', async () => {
    const { server, file, admin, operator } = await start();
    const { version } = await read(server, admin);
    const res = await server.app.inject({
      method: 'PUT',
      url: '/api/v1/config',
      headers: admin.headers,
      payload: { baseVersion: version, changes: [{ path: 'pim.url', value: 'not a url' }, { path: 'sync.deletion', value: 'shred' }, { path: 'erp.colour', value: 'blue' }] },
    });
    expect(res.statusCode).toBe(422);
    const paths = (res.json() as { errors: { path: string; message: string }[] }).errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['pim.url', 'sync.deletion', 'erp.colour']));
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL);
    const yamlSyntax = await server.app.inject({ method: 'PUT', url: '/api/v1/config', headers: admin.headers, payload: { baseVersion: version, yaml: 'pim: [unclosed' } });
    expect(yamlSyntax.statusCode).toBe(422);
    expect((yamlSyntax.json() as { errors: { path: string }[] }).errors[0]!.path).toMatch(/^line \d+/);
    const notAdmin = await server.app.inject({ method: 'PUT', url: '/api/v1/config', headers: operator.headers, payload: { baseVersion: version, changes: [{ path: 'erp.items', value: 3 }] } });
    expect(notAdmin.statusCode).toBe(403);
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL);
  });

  it('puts a typed secret in the encrypted file, references it, never returns it; the CLI loader resolves it', async () => {
    const { server, file, admin } = await start();
    const { version } = await read(server, admin);
    const typed = 'typed-in-console-secret-31337';
    const res = await server.app.inject({ method: 'PUT', url: '/api/v1/config', headers: admin.headers, payload: { baseVersion: version, changes: [{ path: 'pim.password', value: typed, secret: 'PIM_PASSWORD' }] } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).not.toContain(typed);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('  password: ${secret:PIM_PASSWORD}\n');
    expect(text).not.toContain(typed);
    const secretsFile = join(file, '..', 'ferry.secrets.json');
    expect(readFileSync(secretsFile, 'utf8')).not.toContain(typed);
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    const got = await read(server, admin);
    expect(JSON.stringify(got)).not.toContain(typed);
    expect(got.secrets).toEqual([expect.objectContaining({ name: 'PIM_PASSWORD', usedAt: ['pim.password'] })]);
    const history = await server.app.inject({ method: 'GET', url: '/api/v1/config/history/1', headers: admin.headers });
    expect(history.body).not.toContain(typed);
    const audit = await server.app.inject({ method: 'GET', url: '/api/v1/audit', headers: admin.headers });
    expect(audit.body).not.toContain(typed);
    // The CLI reads the same file with the same key.
    const config = await loadConfig(file, { FERRY_SECRET_KEY: 'test-key-one' });
    expect((config.pim as { password: string }).password).toBe(typed);
    // Another key: a clear error naming where the key came from, and nothing decrypted.
    await expect(loadConfig(file, { FERRY_SECRET_KEY: 'another-key' })).rejects.toThrow(/pim\.password: the secrets in .*ferry\.secrets\.json were encrypted with another key than the key in FERRY_SECRET_KEY/);
    // PUT /config/secrets/:name is write-only too.
    const put = await server.app.inject({ method: 'PUT', url: '/api/v1/config/secrets/PIM_PASSWORD', headers: admin.headers, payload: { value: 'second-value-4242' } });
    expect(put.statusCode).toBe(204);
    expect((await loadConfig(file, { FERRY_SECRET_KEY: 'test-key-one' })).pim).toMatchObject({ password: 'second-value-4242' });
  });

  it('a password inside a URL is masked in every answer and survives a whole-text save', async () => {
    const { server, file, admin } = await start();
    const withUrl = ORIGINAL.replace(
      /# The demo ERP[\s\S]*?mapping:/,
      '# The ERP database (password in the URL)\nerp:\n  type: sql\n  client: pg\n  connection: postgres://ferry:url-pass-5150@127.0.0.1:5432/erp   # read-only user\n  streams:\n    items: { table: items, key: sku }\nmapping:',
    );
    writeFileSync(file, withUrl);
    const got = await read(server, admin);
    expect(got.problems).toEqual([]);
    expect(JSON.stringify(got)).not.toContain('url-pass-5150');
    expect(got.yaml).toContain('postgres://ferry:********@127.0.0.1:5432/erp   # read-only user');
    const res = await server.app.inject({ method: 'PUT', url: '/api/v1/config', headers: admin.headers, payload: { baseVersion: got.version, yaml: got.yaml.replace('  client: pg\n', '  client: pg\n  batchSize: 500\n') } });
    expect(res.statusCode, res.body).toBe(200);
    // The URL's password comes back from the file: never written masked.
    expect(readFileSync(file, 'utf8')).toBe(withUrl.replace('  client: pg\n', '  client: pg\n  batchSize: 500\n'));
    expect((res.json() as ConfigSaved).diff).toContain('+  batchSize: 500');
    expect(res.body).not.toContain('url-pass-5150');
  });

  it('a password typed inside a URL in a form goes to the secrets file, never in clear into ferry.yaml', async () => {
    const { server, file, admin } = await start();
    const { version } = await read(server, admin);
    const connection = 'postgres://ferry:typed-pass-7731@127.0.0.1:5432/erp';
    const res = await server.app.inject({
      method: 'PUT',
      url: '/api/v1/config',
      headers: admin.headers,
      payload: { baseVersion: version, changes: [{ path: 'erp', value: { type: 'sql', client: 'pg', connection, streams: { items: { table: 'items', key: 'sku' } } } }] },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).not.toContain('typed-pass-7731');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('typed-pass-7731');
    expect(text).toContain('postgres://ferry:${secret:ERP_CONNECTION_PASSWORD}@127.0.0.1:5432/erp');
    // The CLI reads the same file and gets the URL back whole.
    const loaded = await loadConfig(file, { FERRY_SECRET_KEY: 'test-key-one' });
    expect((loaded.erp as { connection?: unknown }).connection).toBe(connection);
    const got = await read(server, admin);
    expect(got.secrets.map((s) => s.name)).toContain('ERP_CONNECTION_PASSWORD');
    expect(JSON.stringify(got)).not.toContain('typed-pass-7731');
  });

  it('keeps every save (who, when, diff) and restores one as a new save', async () => {
    const { server, file, admin } = await start();
    let { version } = await read(server, admin);
    for (const items of [50, 60]) {
      const res = await server.app.inject({ method: 'PUT', url: '/api/v1/config', headers: admin.headers, payload: { baseVersion: version, changes: [{ path: 'erp.items', value: items }], note: `items ${items}` } });
      expect(res.statusCode, res.body).toBe(200);
      version = (res.json() as ConfigSaved).version;
    }
    const list = await server.app.inject({ method: 'GET', url: '/api/v1/config/history', headers: admin.headers });
    const page = list.json() as { items: { id: number; actor: string; note: string; added: number; removed: number }[]; total: number };
    expect(page.total).toBe(2);
    expect(page.items.map((i) => [i.actor, i.note, i.added, i.removed])).toEqual([
      ['user:admin', 'items 60', 1, 1],
      ['user:admin', 'items 50', 1, 1],
    ]);
    const first = (await server.app.inject({ method: 'GET', url: `/api/v1/config/history/${page.items[1]!.id}`, headers: admin.headers })).json() as ConfigHistoryDetail;
    expect(first.diff).toContain('+  items: 50');
    const restore = await server.app.inject({ method: 'POST', url: `/api/v1/config/history/${page.items[1]!.id}/restore`, headers: admin.headers, payload: { baseVersion: version } });
    expect(restore.statusCode, restore.body).toBe(200);
    const text = readFileSync(file, 'utf8');
    // Restored, literal password included (the history keeps it masked; the file keeps its value).
    expect(text).toBe(ORIGINAL.replace('  items: 40\n', '  items: 50\n'));
    const stale = await server.app.inject({ method: 'POST', url: `/api/v1/config/history/${page.items[1]!.id}/restore`, headers: admin.headers, payload: { baseVersion: version } });
    expect(stale.statusCode).toBe(409);
  });
});
