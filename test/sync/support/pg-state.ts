/**
 * PostgreSQL for the state-store tests: one throw-away database per test file (ferry_state_<random>,
 * dropped afterwards), a fresh schema in it per store. A missing server skips with a note, except
 * under CI=true where it fails (serviceGate, as the SQL adapter tests).
 */
import pg from 'pg';
import { pgProblem, serviceGate } from '../../erp/sql/databases.js';

export const PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** True when PostgreSQL answers (else skipped, or thrown under CI). */
export async function pgStateAvailable(): Promise<boolean> {
  return serviceGate('PostgreSQL (127.0.0.1:5432)', await pgProblem());
}

export interface PgStateDatabase {
  url: string;
  /** A schema name not used yet in this database. */
  freshSchema(): string;
  drop(): Promise<void>;
}

export async function createPgStateDatabase(): Promise<PgStateDatabase> {
  const name = `ferry_state_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  let n = 0;
  return {
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    freshSchema: () => `s${++n}`,
    async drop() {
      const again = new pg.Client({ connectionString: PG_ADMIN_URL });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    },
  };
}
