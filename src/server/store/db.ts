/**
 * The Console's connection to the SQLite file of its console_* tables: the state's file (the sync
 * engine opens its own connection; WAL mode lets both read and write), or with a PostgreSQL state
 * a file of the Console's own (docs/operations.md, "The Console on a PostgreSQL state").
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { StateConfig } from '../../sync/config.js';
import { migrateConsole } from './migrations.js';

export type ConsoleDb = Database.Database;

/**
 * Where the Console keeps its own tables: the state's SQLite file, or with a PostgreSQL state
 * `override`, else console.db in the folder of state.path (./data/console.db beside the config).
 */
export function consoleDbPath(state: StateConfig, override?: string): string {
  if (state.driver === 'sqlite') return state.path;
  return override ?? join(dirname(state.path), 'console.db');
}

/**
 * `engineTables`: the file is the state's SQLite file too, and gets the indexes the run pages read
 * the engine's tables by (false: the Console's own file beside a PostgreSQL state).
 */
export function openConsoleDb(path: string, options: { engineTables: boolean } = { engineTables: true }): ConsoleDb {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrateConsole(db, options);
  return db;
}

export function nowIso(clock: () => number = Date.now): string {
  return new Date(clock()).toISOString();
}

export function parseJsonColumn<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
