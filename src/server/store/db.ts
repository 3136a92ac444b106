/**
 * The Console's connection to the state's SQLite file. The sync engine opens its own
 * connection (WAL mode lets both read and write); this one owns the console_* tables and
 * only reads the engine's runs, run_records, rejects and entities.
 */
import Database from 'better-sqlite3';
import { migrateConsole } from './migrations.js';

export type ConsoleDb = Database.Database;

export function openConsoleDb(path: string): ConsoleDb {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrateConsole(db);
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
