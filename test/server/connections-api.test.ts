/**
 * The Connections page's API against real systems: forms generated from every ERP adapter's zod
 * schema (required fields and help texts come through), the PIM Test on the sandbox (version,
 * edition, endpoints, rate budget, counts; a wrong secret, a wrong password and an unreachable
 * host each named with the setting to change, no secret in any answer), the ERP Test on the demo
 * ERP (streams and record counts) and on MariaDB with a refused login.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erpConfigSchema } from '../../src/erp/config.js';
import type { ConnectionForms, ErpTestResult, PimTestResult } from '../../src/server/api/contract.js';
import { mariadbProblem, serviceGate } from '../erp/sql/databases.js';
import { tempDirs } from '../sync/support/e2e.js';
import { startTestConsole, type TestConsole } from './support.js';

const tempDir = tempDirs('ferry-connections-');
let tc: TestConsole;
const mariaUp = serviceGate('MariaDB', await mariadbProblem());

beforeAll(async () => {
  tc = await startTestConsole(tempDir());
});
afterAll(async () => tc?.close());

async function post<T>(url: string, payload: unknown): Promise<{ status: number; body: T; text: string }> {
  const res = await tc.server.app.inject({ method: 'POST', url, headers: tc.as.admin.headers, payload: payload as Record<string, unknown> });
  return { status: res.statusCode, body: res.json() as T, text: res.body };
}

describe('GET /api/v1/connections/forms', () => {
  it("has a form for every ERP adapter, generated from its schema, with required fields and help texts", async () => {
    const res = await tc.server.app.inject({ method: 'GET', url: '/api/v1/connections/forms', headers: tc.as.operator.headers });
    expect(res.statusCode).toBe(200);
    const forms = res.json() as ConnectionForms;
    const types = erpConfigSchema.options.map((o) => (o.shape.type as { value: string }).value);
    expect(forms.erp.map((f) => f.type)).toEqual(types);
    for (const form of forms.erp) {
      const props = form.schema.properties as Record<string, { description?: string }>;
      expect(props.type, form.type).toBeDefined();
      expect(form.schema.required as string[], form.type).toContain('type');
      // Help texts: most fields carry their .describe() text.
      const described = Object.values(props).filter((p) => typeof p.description === 'string').length;
      expect(described, form.type).toBeGreaterThan(0);
    }
    const tryton = forms.erp.find((f) => f.type === 'tryton')!.schema;
    expect(tryton.required).toEqual(expect.arrayContaining(['url', 'database', 'username', 'password']));
    // The PIM form: Connection credentials or an App token (a union of two shapes).
    expect(JSON.stringify(forms.pim)).toContain('clientId');
    expect(JSON.stringify(forms.pim)).toContain('token');
  });
});

describe('POST /api/v1/connections/pim/test', () => {
  it('on the saved connection: version, edition, endpoint mode, rate budget, counts in plain words', async () => {
    const { status, body } = await post<PimTestResult>('/api/v1/connections/pim/test', {});
    expect(status).toBe(200);
    expect(body.ok).toBe(true);
    expect(body.details!.endpointMode).toMatch(/uuid|identifier/);
    expect(body.lines.join('\n')).toMatch(/Akeneo .* edition\./);
    expect(body.lines.join('\n')).toMatch(/Rate budget: \d+ calls at a time/);
    expect(body.lines.join('\n')).toMatch(/Catalog: \d+ channels, \d+ active locales .*\d+ families, \d+ attributes\./);
  });

  it('a wrong secret typed in the form: the secret is named, with the fix, and never echoed', async () => {
    const section = { ...tc.config.pim };
    const { body, text } = await post<PimTestResult>('/api/v1/connections/pim/test', { section, secrets: { secret: 'wrong-secret-typed-999' } });
    expect(body.ok).toBe(false);
    expect(body.failure).toMatchObject({ kind: 'wrong_secret', setting: 'pim.secret' });
    expect(body.failure!.fix).toMatch(/client id and secret/);
    expect(text).not.toContain('wrong-secret-typed-999');
    expect(text).not.toContain('pim-secret-4711');
  });

  it('a wrong password and an unreachable host are told apart', async () => {
    const wrongPassword = await post<PimTestResult>('/api/v1/connections/pim/test', { section: { ...tc.config.pim }, secrets: { password: 'not-the-password-5' } });
    expect(wrongPassword.body.failure).toMatchObject({ kind: 'wrong_password', setting: 'pim.password' });
    expect(wrongPassword.text).not.toContain('not-the-password-5');
    const unreachable = await post<PimTestResult>('/api/v1/connections/pim/test', { section: { ...tc.config.pim, url: 'http://127.0.0.1:9', limits: { maxRetries: 0 } } });
    expect(unreachable.body.failure).toMatchObject({ kind: 'unreachable', setting: 'pim.url' });
    expect(unreachable.body.failure!.message).toContain('127.0.0.1:9');
    const invalid = await post<PimTestResult>('/api/v1/connections/pim/test', { section: { url: 'not a url', token: 't' } });
    expect(invalid.body.failure).toMatchObject({ kind: 'config', setting: 'pim.url' });
  });

  it('is for admins only', async () => {
    const res = await tc.server.app.inject({ method: 'POST', url: '/api/v1/connections/pim/test', headers: tc.as.operator.headers, payload: {} });
    expect(res.statusCode).toBe(403);
  });
});

describe('POST /api/v1/connections/erp/test', () => {
  it('on the demo ERP: reachable, authenticated, streams and record counts', async () => {
    const { body } = await post<ErpTestResult>('/api/v1/connections/erp/test', {});
    expect(body.ok, JSON.stringify(body)).toBe(true);
    expect(body.reachable && body.authenticated).toBe(true);
    expect(body.streams.find((s) => s.name === 'items')?.records).toBe(60);
    expect(body.lines[0]).toMatch(/^Connected to /);
  });

  it('a form missing a required field names it', async () => {
    const { body } = await post<ErpTestResult>('/api/v1/connections/erp/test', { section: { type: 'tryton', url: 'http://127.0.0.1:8000', username: 'admin', password: 'x' } });
    expect(body.failure).toMatchObject({ kind: 'config', setting: 'erp.database' });
  });

  it.skipIf(!mariaUp)('MariaDB with a refused login: wrong password, the password key named, never echoed', async () => {
    const section = { type: 'sql', client: 'mysql2', connection: { host: '127.0.0.1', port: 3306, user: 'ferry_nobody', database: 'mysql' }, streams: { items: { table: 'user', key: 'User', fields: {} } } };
    const { body, text } = await post<ErpTestResult>('/api/v1/connections/erp/test', { section, secrets: { 'connection.password': 'typed-db-password-77' } });
    expect(body.ok).toBe(false);
    expect(body.failure).toMatchObject({ kind: 'wrong_password', setting: 'erp.connection.password' });
    expect(body.authenticated).toBe(false);
    expect(text).not.toContain('typed-db-password-77');
  });
});
