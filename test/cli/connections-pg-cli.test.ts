/**
 * Two connections of one deployment keeping their state in one PostgreSQL database: each gets its
 * own schema (ferry_<name>) without saying so, and each one's history is its own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { ferry } from '../support/ferry-cli.js';
import { createPgStateDatabase, pgStateAvailable, type PgStateDatabase } from '../sync/support/pg-state.js';

const available = await pgStateAvailable();
const dir = mkdtempSync(join(tmpdir(), 'ferry-connections-pg-'));

describe.skipIf(!available)('several connections on one PostgreSQL state database', () => {
  let sb: RunningSandbox;
  let db: PgStateDatabase;

  beforeAll(async () => {
    [sb, db] = await Promise.all([startSandbox({ catalog: 'demo' }), createPgStateDatabase()]);
    const tenant = (name: string, seed: number) => [
      `  ${name}:`,
      `    pim: { url: "${sb.url}", clientId: ${sb.clientId}, secret: ${sb.secret}, username: ${sb.username}, password: ${sb.password} }`,
      `    erp: { type: demo, path: ./${name}.sqlite, items: 30, seed: ${seed} }`,
      '    mapping: { preset: demo }',
      `    state: { url: "${db.url}" }`,
    ];
    writeFileSync(join(dir, 'ferry.yaml'), ['connections:', ...tenant('east', 3), ...tenant('west-1', 5), ''].join('\n'));
    const r = await ferry(['pim', 'bootstrap', '--yes', '--connection', 'east'], dir);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await sb?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives each its own schema; each lists only its own runs', async () => {
    // One after the other: both use the same Akeneo Connection of the same PIM, whose lock allows one run at a time.
    const east = await ferry(['sync', '--connection', 'east'], dir);
    const west = await ferry(['sync', '--full', '--connection', 'west-1'], dir);
    expect(east.code, east.stderr).toBe(0);
    expect(west.code, west.stderr).toBe(0);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const modes = async (schema: string) => (await client.query<{ mode: string }>(`SELECT mode FROM ${schema}.runs ORDER BY id`)).rows.map((r) => r.mode);
      expect(await modes('ferry_east')).toEqual(['delta']);
      expect(await modes('ferry_west_1')).toEqual(['full']);
    } finally {
      await client.end();
    }
    const runs = await ferry(['runs', '--json', '--connection', 'west-1'], dir);
    expect((JSON.parse(runs.stdout) as { mode: string }[]).map((r) => r.mode)).toEqual(['full']);
  }, 120_000);
});
