/**
 * The Console's own tables, in the state's SQLite file next to the sync engine's. Versioned
 * in `console_schema_version` (the engine keeps `schema_version`), so each side migrates
 * without knowing the other. Append only: never edit a shipped migration.
 */
import type Database from 'better-sqlite3';

export const CONSOLE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE console_users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    last_login_at TEXT
  );
  CREATE TABLE console_sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES console_users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX console_sessions_user ON console_sessions (user_id);
  CREATE TABLE console_api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES console_users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT
  );
  CREATE TABLE console_run_origins (
    run_id     INTEGER PRIMARY KEY,
    started_by TEXT NOT NULL
  );
  CREATE TABLE console_schedules (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    spec       TEXT NOT NULL,
    timezone   TEXT NOT NULL,
    mode       TEXT NOT NULL,
    enabled    INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE console_schedule_occurrences (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    schedule_id   INTEGER NOT NULL REFERENCES console_schedules (id) ON DELETE CASCADE,
    scheduled_for TEXT NOT NULL,
    fired_at      TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    run_id        INTEGER,
    reason        TEXT
  );
  CREATE INDEX console_occurrences_schedule ON console_schedule_occurrences (schedule_id, scheduled_for);
  CREATE TABLE console_channels (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    type       TEXT NOT NULL,
    name       TEXT NOT NULL,
    enabled    INTEGER NOT NULL,
    settings   TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE console_rules (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    threshold   REAL,
    channel_ids TEXT NOT NULL,
    enabled     INTEGER NOT NULL,
    created_at  TEXT NOT NULL
  );
  CREATE TABLE console_rule_state (
    rule_id  INTEGER NOT NULL,
    subject  TEXT NOT NULL,
    fired_at TEXT NOT NULL,
    PRIMARY KEY (rule_id, subject)
  );
  CREATE TABLE console_deliveries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL,
    at         TEXT NOT NULL,
    event      TEXT NOT NULL,
    run_id     INTEGER,
    ok         INTEGER NOT NULL,
    attempts   INTEGER NOT NULL,
    error      TEXT
  );
  CREATE INDEX console_deliveries_channel ON console_deliveries (channel_id, id);
  CREATE TABLE console_audit (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT,
    details TEXT
  );
  CREATE INDEX console_audit_action ON console_audit (action, id);
  `,
  // 2: Akeneo events received (src/server/events): ids already taken (at-least-once delivery),
  // and per product the latest event time handled and the fingerprint of its non-status values.
  `
  CREATE TABLE console_events_seen (
    event_id    TEXT PRIMARY KEY,
    received_at INTEGER NOT NULL
  );
  CREATE INDEX console_events_seen_received ON console_events_seen (received_at);
  CREATE TABLE console_event_products (
    product_key     TEXT PRIMARY KEY,
    last_event_time INTEGER NOT NULL,
    fingerprint     TEXT,
    updated_at      TEXT NOT NULL
  );
  `,
  // 3 (issue 15): every save of ferry.yaml from the Console (restorable), and the first-run wizard's position.
  `
  CREATE TABLE console_config_history (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    version  TEXT NOT NULL,
    note     TEXT,
    diff     TEXT NOT NULL,
    yaml     TEXT NOT NULL,
    added    INTEGER NOT NULL,
    removed  INTEGER NOT NULL
  );
  CREATE TABLE console_setup (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
];

/**
 * Indexes the Console's queries need on the engine's tables (read-only use): a run's records
 * filtered by outcome, and runs filtered by status / mode, stay fast at 100,000 records a run.
 * Created with IF NOT EXISTS outside the versioned list, since the tables are not ours: when the
 * engine's schema adds the same index under its own name, nothing breaks.
 */
const READ_INDEXES = `
  CREATE INDEX IF NOT EXISTS console_ix_run_records_outcome ON run_records (run_id, outcome, stream, erp_key);
  CREATE INDEX IF NOT EXISTS console_ix_rejects_run_key ON rejects (run_id, stream, erp_key);
  CREATE INDEX IF NOT EXISTS console_ix_runs_status ON runs (status, id);
  CREATE INDEX IF NOT EXISTS console_ix_runs_mode ON runs (mode, id);
`;

export function migrateConsole(db: Database.Database, options: { engineTables: boolean } = { engineTables: true }): void {
  const apply = db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS console_schema_version (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT MAX(version) AS v FROM console_schema_version').get() as { v: number | null };
    const current = row.v ?? 0;
    if (current > CONSOLE_MIGRATIONS.length) {
      throw new Error(`the Console tables have schema version ${current}, newer than this Ferry knows (${CONSOLE_MIGRATIONS.length}); upgrade Ferry.`);
    }
    for (let v = current; v < CONSOLE_MIGRATIONS.length; v++) {
      db.exec(CONSOLE_MIGRATIONS[v]!);
      db.prepare('INSERT INTO console_schema_version (version) VALUES (?)').run(v + 1);
    }
    if (options.engineTables) db.exec(READ_INDEXES);
  });
  apply.immediate();
}
