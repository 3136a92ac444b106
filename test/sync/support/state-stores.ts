/**
 * The state stores the engine tests run against, for `describe.each`: SQLite in memory and, when
 * PostgreSQL answers on 127.0.0.1:5432, a fresh schema of one throw-away database per test file
 * (skipped with a note otherwise, failed under CI=true). Stores opened are closed after each test.
 * Call at the top level of a test file (it registers the file's hooks).
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { StateStore } from '../../../src/sync/state/port.js';
import { PostgresStateStore } from '../../../src/sync/state/postgres.js';
import { SqliteStateStore } from '../../../src/sync/state/sqlite.js';
import { createPgStateDatabase, pgStateAvailable, type PgStateDatabase } from './pg-state.js';

export interface StateStoreKind {
  name: 'SQLite' | 'PostgreSQL';
  /** A new, empty, migrated store. */
  open(): Promise<StateStore>;
}

/**
 * Fresh PostgreSQL schemas for this file's tests, or null when PostgreSQL does not answer (skipped
 * with a note, failed under CI=true): one throw-away database, created before the file's tests and
 * dropped after; each call of the function returned gives a new schema in it. Registers the file's
 * hooks: call at the top level of a test file (stateStoreKinds and the Console's tests do).
 */
export async function pgStateSchemas(): Promise<(() => { url: string; schema: string }) | null> {
  if (!(await pgStateAvailable())) return null;
  let db: PgStateDatabase | null = null;
  beforeAll(async () => {
    db = await createPgStateDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  return () => ({ url: db!.url, schema: db!.freshSchema() });
}

export async function stateStoreKinds(): Promise<StateStoreKind[]> {
  const opened: StateStore[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });
  const kinds: StateStoreKind[] = [
    {
      name: 'SQLite',
      open: async () => {
        const s = new SqliteStateStore(':memory:');
        opened.push(s);
        await s.migrate();
        return s;
      },
    },
  ];
  const schemas = await pgStateSchemas();
  if (!schemas) return kinds;
  kinds.push({
    name: 'PostgreSQL',
    open: async () => {
      const s = new PostgresStateStore({ ...schemas(), poolSize: 2 });
      opened.push(s);
      await s.migrate();
      return s;
    },
  });
  return kinds;
}
