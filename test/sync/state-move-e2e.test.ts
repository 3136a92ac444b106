/**
 * Moving a state from SQLite to PostgreSQL without losing anything: a full sync of the demo ERP
 * on SQLite, `ferry state export`, `ferry state import` into a fresh PostgreSQL database, then
 * a second full sync against PostgreSQL writes nothing to the PIM (every hash came along) and
 * the run history continues where it was.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { openStateStore, runSync } from '../../src/sync/index.js';
import { ferry } from '../support/ferry-cli.js';
import { checkCounts, sandboxPimConfig, tempDirs } from './support/e2e.js';
import { clientFor, recordingClient } from './support/pim.js';
import { createPgStateDatabase, pgStateAvailable, type PgStateDatabase } from './support/pg-state.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-state-move-');
const pgUp = await pgStateAvailable();

describe.skipIf(!pgUp)('state moved from SQLite to PostgreSQL', () => {
  let sb: RunningSandbox;
  let pgDb: PgStateDatabase;
  beforeAll(async () => {
    sb = await startSandbox({ catalog: 'demo' });
    pgDb = await createPgStateDatabase();
  });
  afterAll(async () => {
    await sb?.close();
    await pgDb?.drop();
  });

  it('sync on SQLite, export, import into PostgreSQL: the next sync writes nothing', async () => {
    const dir = tempDir();
    const sqlitePath = join(dir, 'ferry.db');
    const common = { pim: sandboxPimConfig(sb), erp: { type: 'demo', path: join(dir, 'demo-erp.sqlite'), items: 200, seed: 11 }, mapping: { preset: 'demo' } };
    const onSqlite = ferryConfigSchema.parse({ ...common, state: { path: sqlitePath } });
    const onPg = ferryConfigSchema.parse({ ...common, state: { url: pgDb.url, schema: 'moved' } });
    expect(onPg.state.driver).toBe('postgres');
    const base = clientFor(sb);
    const source = createErpSource(onSqlite.erp);
    try {
      await bootstrapPim(base, onSqlite.mapping, source);
      const first = await runSync(onSqlite, { client: base, source, logger: silent, full: true });
      checkCounts(first);
      expect(first.status).toBe('succeeded');
      expect(first.counts.created).toBeGreaterThan(150);

      const dump = join(dir, 'state.ndjson');
      const exported = await ferry(['state', 'export', '--state', sqlitePath, '--out', dump], dir);
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stderr).toMatch(/exported SQLite .*entities \d+/);
      const pgArg = `${pgDb.url}`;
      // --state with a URL takes the default schema; the config's schema is used through a config file
      const imported = await ferry(['state', 'import', '--state', pgArg, '--in', dump], dir);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stdout).toMatch(/imported \d+ rows into PostgreSQL 127\.0\.0\.1:5432\/ferry_state_\w+ \(schema public\)/);
      // A second import into the now full state is refused, naming why.
      const again = await ferry(['state', 'import', '--state', pgArg, '--in', dump], dir);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(/already holds a state/);
      const migrate = await ferry(['state', 'migrate', '--state', pgArg], dir);
      expect(migrate.stdout).toMatch(/schema at version \d+, nothing to do/);

      const publicPg = ferryConfigSchema.parse({ ...common, state: { url: pgDb.url } });
      const { client, writes } = recordingClient(base);
      const second = await runSync(publicPg, { client, source, logger: silent, full: true });
      checkCounts(second);
      expect(second.status).toBe('succeeded');
      expect(writes.length).toBe(0);
      expect(second.requests.writes).toBe(0);
      expect(second.counts.created + second.counts.updated + second.counts.rejected).toBe(0);
      expect(second.counts.unchanged).toBe(first.counts.created);
      expect(second.runId).toBe(first.runId! + 1);
      // `ferry runs` reads the history from the config's PostgreSQL state (only its state: section is needed).
      writeFileSync(join(dir, 'pg.yaml'), `state:\n  url: ${pgDb.url}\n`);
      const history = await ferry(['runs', '--config', 'pg.yaml', '--json'], dir);
      expect(history.code, history.stderr).toBe(0);
      expect((JSON.parse(history.stdout) as { id: number; status: string }[]).map((r) => [r.id, r.status])).toEqual([
        [second.runId, 'succeeded'],
        [first.runId, 'succeeded'],
      ]);
      const pgState = await openStateStore(publicPg.state);
      try {
        expect((await pgState.listRuns(5)).map((r) => [r.id, r.status])).toEqual([
          [second.runId, 'succeeded'],
          [first.runId, 'succeeded'],
        ]);
        const sqliteState = await openStateStore(onSqlite.state);
        try {
          expect(await pgState.getRunRecords(first.runId!)).toEqual(await sqliteState.getRunRecords(first.runId!));
          expect(await pgState.getRun(first.runId!)).toEqual(await sqliteState.getRun(first.runId!));
        } finally {
          await sqliteState.close();
        }
      } finally {
        await pgState.close();
      }
    } finally {
      await source.close();
      await base.close();
    }
  });
});
