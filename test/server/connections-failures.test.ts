/**
 * The Connections page's Test on real failures that the plain words must name, each against a
 * real thing: the PIM behind HTTPS with a self-signed certificate (made here with openssl; a TLS
 * proxy in front of the sandbox) → "certificate not trusted" with NODE_EXTRA_CA_CERTS as the fix,
 * and that fix proven by `ferry pim check` in a child process; a sandbox Connection whose role
 * lacks a Web API permission (`denied`) → Akeneo's 403 named with the user and where to allow
 * it; a PostgreSQL role and a MariaDB
 * user (created here, unique names, dropped after) that can log in but may not read the
 * configured table → the table and the missing GRANT named, not "wrong password".
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErpTestResult, PimTestResult } from '../../src/server/api/contract.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { createMariadbDatabase, createPgDatabase, mariadbProblem, pgProblem, serviceGate, type TestDatabase } from '../erp/sql/databases.js';
import { ferry } from '../support/ferry-cli.js';
import { startSelfSignedProxy, type TlsProxy } from '../support/tls-proxy.js';
import { tempDirs } from '../sync/support/e2e.js';
import { startTestConsole, type TestConsole } from './support.js';

const tempDir = tempDirs('ferry-connection-failures-');
const pgUp = serviceGate('PostgreSQL', await pgProblem());
const mariaUp = serviceGate('MariaDB', await mariadbProblem());
let tc: TestConsole;

beforeAll(async () => {
  tc = await startTestConsole(tempDir());
});
afterAll(async () => tc?.close());

async function post<T>(url: string, payload: unknown): Promise<{ body: T; text: string }> {
  const res = await tc.server.app.inject({ method: 'POST', url, headers: tc.as.admin.headers, payload: payload as Record<string, unknown> });
  expect(res.statusCode, res.body).toBe(200);
  return { body: res.json() as T, text: res.body };
}

const unique = (prefix: string) => `${prefix}_${Math.random().toString(36).slice(2, 10)}`;

describe('the PIM behind HTTPS with a self-signed certificate', () => {
  let proxy: TlsProxy;
  let url: string;
  let certFile: string;

  beforeAll(async () => {
    proxy = await startSelfSignedProxy(tc.sb.url, tempDir());
    ({ url, certFile } = proxy);
  });
  afterAll(async () => proxy?.close());

  it('Test says the certificate is not trusted, names pim.url and NODE_EXTRA_CA_CERTS as the fix', async () => {
    const { body, text } = await post<PimTestResult>('/api/v1/connections/pim/test', { section: { ...tc.config.pim, url } });
    expect(body.ok).toBe(false);
    // A certificate does not get trusted by asking again: said at once, not after the retries.
    expect(body.durationMs).toBeLessThan(5_000);
    expect(body.failure).toMatchObject({ kind: 'certificate', setting: 'pim.url' });
    expect(body.failure!.message).toMatch(/certificate is not trusted/);
    expect(body.failure!.message).toMatch(/SELF_SIGNED/);
    expect(body.failure!.fix).toContain('NODE_EXTRA_CA_CERTS');
    expect(text).not.toContain('pim-secret-4711');
  });

  it('the fix works: ferry pim check through the same proxy succeeds with NODE_EXTRA_CA_CERTS', async () => {
    const dir = tempDir();
    const { clientId, secret, username, password } = tc.config.pim as unknown as Record<string, string>;
    writeFileSync(join(dir, 'ferry.yaml'), `pim:\n  url: ${url}\n  clientId: ${clientId}\n  secret: ${secret}\n  username: ${username}\n  password: ${password}\n`);
    const without = await ferry(['pim', 'check'], dir);
    expect(without.code).not.toBe(0);
    expect(without.stderr).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT\)\. The PIM's TLS certificate is not trusted here: .*NODE_EXTRA_CA_CERTS/);
    const trusted = await ferry(['pim', 'check'], dir, { NODE_EXTRA_CA_CERTS: certFile });
    expect(trusted.code, trusted.stdout + trusted.stderr).toBe(0);
    expect(trusted.stdout).toMatch(/OK: authenticated and read the catalog/);
  }, 60_000);
});

describe('a PIM connection whose user role lacks a Web API permission', () => {
  let sb: RunningSandbox;
  const limited = { clientId: 'ferry-limited', secret: 'limited-secret-5', username: 'ferry-limited', password: 'limited-password-5', denied: ['list families'] };

  beforeAll(async () => {
    sb = await startSandbox({ catalog: 'demo', connections: [{ clientId: 'ferry', secret: 'full-secret-5', username: 'ferry', password: 'full-password-5' }, limited] });
  });
  afterAll(async () => sb?.close());

  it('the sandbox answers 403 as Akeneo does; Test names the permission, the user and where to give it', async () => {
    const { denied: _, ...credentials } = limited;
    const { body, text } = await post<PimTestResult>('/api/v1/connections/pim/test', { section: { url: sb.url, ...credentials } });
    expect(body.ok).toBe(false);
    expect(body.failure).toMatchObject({ kind: 'permission', setting: 'pim.username' });
    expect(body.failure!.message).toContain('Access forbidden. You are not allowed to list families.');
    expect(body.failure!.fix).toMatch(/user ferry-limited may not list families/);
    expect(body.failure!.fix).toMatch(/Roles/);
    expect(text).not.toContain(limited.secret);
    expect(text).not.toContain(limited.password);
    // The other connection of the same PIM, with every permission, passes the same Test.
    const full = await post<PimTestResult>('/api/v1/connections/pim/test', { section: { url: sb.url, clientId: 'ferry', secret: 'full-secret-5', username: 'ferry', password: 'full-password-5' } });
    expect(full.body.ok, JSON.stringify(full.body)).toBe(true);
  });
});

/** The adapter's section for one table, read as `user`. */
const sqlSection = (client: string, connection: Record<string, unknown>) => ({
  type: 'sql',
  client,
  connection,
  streams: { items: { table: 'erp_items', key: 'sku', fields: { name: 'name' } } },
});

describe.skipIf(!pgUp)('PostgreSQL: a role that can log in but may not read the table', () => {
  let db: TestDatabase;
  const role = unique('ferry_noread');

  beforeAll(async () => {
    db = await createPgDatabase();
    await db.knex.schema.createTable('erp_items', (t) => {
      t.string('sku').primary();
      t.string('name');
    });
    await db.knex('erp_items').insert({ sku: 'A-1', name: 'One' });
    await db.knex.raw(`create role ${role} login`);
  });
  afterAll(async () => {
    await db?.knex.raw(`drop role if exists ${role}`).catch(() => undefined);
    await db?.drop();
  });

  it('Test names the table and the missing GRANT, not the password', async () => {
    const connection = { ...db.connection, user: role };
    const { body } = await post<ErpTestResult>('/api/v1/connections/erp/test', { section: sqlSection('pg', connection) });
    expect(body.ok, JSON.stringify(body)).toBe(false);
    expect(body.authenticated).toBe(true);
    expect(body.failure).toMatchObject({ kind: 'permission', setting: 'erp.connection.user' });
    expect(body.failure!.message).toContain('erp_items');
    expect(body.failure!.fix).toContain(`GRANT SELECT ON erp_items TO ${role}`);
    // The grant the fix names is the one that was missing: with it, the same Test passes.
    await db.knex.raw(`grant select on erp_items to ${role}`);
    const after = await post<ErpTestResult>('/api/v1/connections/erp/test', { section: sqlSection('pg', connection) });
    expect(after.body.ok, JSON.stringify(after.body)).toBe(true);
    await db.knex.raw(`revoke all on erp_items from ${role}`);
  });
});

describe.skipIf(!mariaUp)('MariaDB: a user that can log in but may not read the table', () => {
  let db: TestDatabase;
  let admin: ReturnType<typeof knexFactory>;
  const user = unique('ferry_noread');
  const password = 'noread-password-31';

  beforeAll(async () => {
    db = await createMariadbDatabase();
    await db.knex.schema.createTable('erp_items', (t) => {
      t.string('sku').primary();
      t.string('name');
    });
    await db.knex.schema.createTable('other_table', (t) => t.string('code'));
    await db.knex('erp_items').insert({ sku: 'A-1', name: 'One' });
    admin = knexFactory({ client: 'mysql2', connection: { host: '127.0.0.1', port: 3306, user: 'root' }, pool: { min: 0, max: 1 } });
    await admin.raw(`create user ?@'%' identified by ?`, [user, password]);
  });
  afterAll(async () => {
    await admin?.raw(`drop user if exists ?@'%'`, [user]).catch(() => undefined);
    await admin?.destroy();
    await db?.drop();
  });

  it('no right on the database at all: Test says which database to grant, not "wrong password"', async () => {
    const connection = { ...db.connection, user };
    const { body, text } = await post<ErpTestResult>('/api/v1/connections/erp/test', { section: sqlSection('mysql2', connection), secrets: { 'connection.password': password } });
    expect(body.ok, JSON.stringify(body)).toBe(false);
    expect(body.failure).toMatchObject({ kind: 'permission', setting: 'erp.connection.user' });
    expect(body.failure!.fix).toContain(`GRANT SELECT ON \`${String(db.connection.database)}\`.* TO '${user}'@'%'`);
    expect(text).not.toContain(password);
  });

  it('a right on another table only: Test names erp_items and the missing GRANT', async () => {
    await admin.raw(`grant select on ??.other_table to ?@'%'`, [String(db.connection.database), user]);
    const connection = { ...db.connection, user };
    const { body, text } = await post<ErpTestResult>('/api/v1/connections/erp/test', { section: sqlSection('mysql2', connection), secrets: { 'connection.password': password } });
    expect(body.ok, JSON.stringify(body)).toBe(false);
    expect(body.authenticated).toBe(true);
    expect(body.failure).toMatchObject({ kind: 'permission', setting: 'erp.connection.user' });
    expect(body.failure!.message).toContain('erp_items');
    expect(body.failure!.fix).toContain(`GRANT SELECT ON \`${String(db.connection.database)}\`.\`erp_items\` TO '${user}'@'%'`);
    expect(text).not.toContain(password);
  });
});
