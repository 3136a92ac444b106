/**
 * First run through the API: the one-time setup token creates the first admin once (a wrong or
 * spent token is refused), signs them in, and the wizard's position survives a restart of the
 * Console (left and resumed).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createConsole, type ConsoleServer } from '../../src/server/app.js';
import { issueSetupToken } from '../../src/server/routes/setup.js';
import { tempDirs } from '../sync/support/e2e.js';
import { silent } from './support.js';

const tempDir = tempDirs('ferry-setup-api-');
const servers: ConsoleServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(dir: string): Promise<ConsoleServer> {
  const config = ferryConfigSchema.parse({
    pim: { url: 'http://127.0.0.1:9', token: 'not-configured-yet' },
    erp: { type: 'demo', path: join(dir, 'erp.sqlite') },
    state: { path: join(dir, 'ferry.db') },
  });
  const server = await createConsole({ config, configFile: join(dir, 'ferry.yaml'), logger: silent });
  servers.push(server);
  return server;
}

describe('first-run setup', () => {
  it('the one-time token creates the first admin once and signs them in; the wizard resumes after a restart', async () => {
    const dir = tempDir();
    const server = await start(dir);
    const status = await server.app.inject({ method: 'GET', url: '/api/v1/setup' });
    expect(status.json()).toEqual({ needsAdmin: true, configExists: false, step: null, completed: [] });
    const token = issueSetupToken(server.ctx);
    const wrong = await server.app.inject({ method: 'POST', url: '/api/v1/setup/admin', payload: { token: 'guessed', name: 'julia', password: 'julia-password-1' } });
    expect(wrong.statusCode).toBe(403);
    expect(server.ctx.auth.countUsers()).toBe(0);
    const ok = await server.app.inject({ method: 'POST', url: '/api/v1/setup/admin', payload: { token, name: 'julia', password: 'julia-password-1' } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ user: { name: 'julia', role: 'admin' } });
    const cookie = ok.cookies.find((c) => c.name === 'ferry_session')!;
    const headers = { cookie: `ferry_session=${cookie.value}`, 'x-csrf-token': (ok.json() as { csrfToken: string }).csrfToken };
    const again = await server.app.inject({ method: 'POST', url: '/api/v1/setup/admin', payload: { token, name: 'mallory', password: 'mallory-password-1' } });
    expect(again.statusCode).toBe(409);
    const put = await server.app.inject({ method: 'PUT', url: '/api/v1/setup/wizard', headers, payload: { step: 'mapping', completed: ['admin', 'pim', 'erp'], data: { pim: { url: 'https://pim' } } } });
    expect(put.statusCode, put.body).toBe(200);
    await server.close();
    servers.splice(0);

    const restarted = await start(dir);
    expect((await restarted.app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toMatchObject({ needsAdmin: false, step: 'mapping', completed: ['admin', 'pim', 'erp'] });
    const wizard = await restarted.app.inject({ method: 'GET', url: '/api/v1/setup/wizard', headers });
    expect(wizard.json()).toEqual({ step: 'mapping', completed: ['admin', 'pim', 'erp'], data: { pim: { url: 'https://pim' } } });
    // A token issued before the first admin existed is useless once spent; a new one does not make a second first admin.
    const late = issueSetupToken(restarted.ctx);
    expect((await restarted.app.inject({ method: 'POST', url: '/api/v1/setup/admin', payload: { token: late, name: 'mallory', password: 'mallory-password-1' } })).statusCode).toBe(409);
  });
});
