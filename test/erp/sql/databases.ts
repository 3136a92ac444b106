/**
 * Throw-away databases for the SQL adapter tests: a fresh PostgreSQL / MariaDB database per
 * run (ferry_test_<random>), dropped afterwards. A missing server skips the suite with a note,
 * except under CI=true where it fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';

export const IN_CI = process.env.CI === 'true';

export interface TestDatabase {
  client: 'pg' | 'mysql2' | 'better-sqlite3';
  connection: Record<string, unknown>;
  /** A knex handle for seeding (not the adapter's). */
  knex: Knex;
  drop(): Promise<void>;
}

function randomName(): string {
  return `ferry_test_${Math.random().toString(36).slice(2, 10)}`;
}

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root' };

async function reachable(config: Knex.Config): Promise<string | null> {
  const k = knexFactory({ ...config, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 4000 });
  try {
    await k.raw('select 1');
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await k.destroy();
  }
}

/** null when the server answers, else why not. */
export async function pgProblem(): Promise<string | null> {
  return reachable({ client: 'pg', connection: { ...PG, database: 'postgres', connectionTimeoutMillis: 3000 } });
}
export async function mariadbProblem(): Promise<string | null> {
  return reachable({ client: 'mysql2', connection: { ...MARIADB, connectTimeout: 3000 } });
}

/** Skips (with a note) or, under CI, fails when the service is missing. */
export function serviceGate(name: string, problem: string | null): boolean {
  if (problem === null) return true;
  const note = `${name} is not reachable (${problem}); the ${name} tests are skipped. Start it (see .ci/run) to run them.`;
  if (IN_CI) throw new Error(`CI=true but ${note}`);
  console.warn(`[skip] ${note}`);
  return false;
}

export async function createPgDatabase(): Promise<TestDatabase> {
  const name = randomName();
  const admin = knexFactory({ client: 'pg', connection: { ...PG, database: 'postgres' }, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name}`);
  const connection = { ...PG, database: name };
  const knex = knexFactory({ client: 'pg', connection, pool: { min: 0, max: 2 } });
  return {
    client: 'pg',
    connection,
    knex,
    async drop() {
      await knex.destroy();
      await admin.raw(`drop database if exists ${name} with (force)`);
      await admin.destroy();
    },
  };
}

export async function createMariadbDatabase(): Promise<TestDatabase> {
  const name = randomName();
  const admin = knexFactory({ client: 'mysql2', connection: MARIADB, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name} character set utf8mb4`);
  const connection = { ...MARIADB, database: name };
  const knex = knexFactory({ client: 'mysql2', connection: { ...connection, dateStrings: true }, pool: { min: 0, max: 2 } });
  return {
    client: 'mysql2',
    connection,
    knex,
    async drop() {
      await knex.destroy();
      await admin.raw(`drop database if exists ${name}`);
      await admin.destroy();
    },
  };
}

export async function createSqliteDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-sql-'));
  const filename = join(dir, 'erp.sqlite');
  const connection = { filename };
  const knex = knexFactory({ client: 'better-sqlite3', connection, useNullAsDefault: true });
  return {
    client: 'better-sqlite3',
    connection,
    knex,
    async drop() {
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
