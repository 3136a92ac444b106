/** GET /api/v1/estimate: the first import's estimate for the Console, viewer and up, no secret in it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importEstimateSchema } from '../../src/server/api/contract.js';
import { startTestConsole, type TestConsole } from './support.js';

let tc: TestConsole;
const dir = mkdtempSync(join(tmpdir(), 'ferry-estimate-api-'));

beforeAll(async () => {
  tc = await startTestConsole(dir);
}, 120_000);
afterAll(async () => {
  await tc?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/v1/estimate', () => {
  it('answers a viewer with the estimate of the ERP behind the Console, in the contract', async () => {
    const res = await tc.server.app.inject({ method: 'GET', url: '/api/v1/estimate', headers: tc.as.viewer.headers });
    expect(res.statusCode, res.body).toBe(200);
    const body = importEstimateSchema.parse(res.json());
    expect(body.erp.counts.items).toBe(60);
    expect(body.estimate.entities.products).toBe(60);
    expect(body.estimate.requests.products).toBeGreaterThanOrEqual(1);
    expect(body.pim.roundTripMs).not.toBeNull();
    expect(body.estimate.durationSeconds.likely).toBeGreaterThanOrEqual(body.estimate.durationSeconds.best);
    expect(res.body).not.toContain('pim-secret-4711');
    expect(res.body).not.toContain('pim-password-4711');
  });

  it('refuses a caller with no session', async () => {
    const res = await tc.server.app.inject({ method: 'GET', url: '/api/v1/estimate' });
    expect(res.statusCode).toBe(401);
  });
});
