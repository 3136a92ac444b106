/**
 * The throw-away PostgreSQL database the shared-budget tests keep their budget tables in: gated
 * like every PostgreSQL test (skipped with a note when 127.0.0.1:5432 does not answer, failed under
 * CI=true), created before the file's tests and dropped after. Call at the top level of a test file
 * (it registers the file's hooks); `url()` is valid inside the tests.
 */
import { afterAll, beforeAll } from 'vitest';
import { createPgDatabase, pgProblem, serviceGate, type TestDatabase } from '../erp/sql/databases.js';

export interface BudgetDatabase {
  /** False when PostgreSQL is not reachable (the tests are to be skipped). */
  enabled: boolean;
  url(): string;
}

export async function budgetDatabase(): Promise<BudgetDatabase> {
  const enabled = serviceGate('PostgreSQL (127.0.0.1:5432)', await pgProblem());
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    if (enabled) db = await createPgDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  return {
    enabled,
    url() {
      if (!db) throw new Error('the budget database is created in beforeAll; use url() inside a test');
      return `postgres://postgres@127.0.0.1:5432/${String(db.connection.database)}`;
    },
  };
}
