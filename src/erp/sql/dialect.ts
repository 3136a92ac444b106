/**
 * What differs between the four databases: driver options (so decimals, bigints and dates come
 * back as exact text), how a timestamp is bound, the version query, where the server lives.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { scrubSecrets, type Logger } from '../../logging.js';
import { ErpError } from '../port.js';
import type { SqlClient, SqlConfig } from './config.js';

export const SYSTEM_NAMES: Record<SqlClient, string> = {
  pg: 'PostgreSQL',
  mysql2: 'MySQL/MariaDB',
  mssql: 'SQL Server',
  'better-sqlite3': 'SQLite',
};
const DEFAULT_PORTS: Partial<Record<SqlClient, number>> = { pg: 5432, mysql2: 3306, mssql: 1433 };

/** Where the adapter connects, for messages: never holds the password. */
export interface Endpoint {
  system: string;
  host: string | null;
  port: number | null;
  user: string | null;
  database: string | null;
  /** SQLite: the file. */
  file: string | null;
  /** For scrubbing error texts. */
  secret: string | null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
}

export function describeEndpoint(config: Pick<SqlConfig, 'client' | 'connection'>): Endpoint {
  const system = SYSTEM_NAMES[config.client];
  const base: Endpoint = { system, host: null, port: null, user: null, database: null, file: null, secret: null };
  const c = config.connection;
  if (config.client === 'better-sqlite3') {
    const file = typeof c === 'string' ? c : str(c.filename);
    return { ...base, file: file === null || file === ':memory:' ? file : resolve(file) };
  }
  if (typeof c === 'string') {
    try {
      const url = new URL(c);
      return {
        ...base,
        host: url.hostname || null,
        port: url.port ? Number(url.port) : (DEFAULT_PORTS[config.client] ?? null),
        user: url.username ? decodeURIComponent(url.username) : null,
        database: url.pathname.replace(/^\//, '') || null,
        secret: url.password ? decodeURIComponent(url.password) : null,
      };
    } catch {
      return base;
    }
  }
  const port = c.port === undefined ? (DEFAULT_PORTS[config.client] ?? null) : Number(c.port);
  return {
    ...base,
    host: str(c.host) ?? str(c.server) ?? 'localhost',
    port,
    user: str(c.user) ?? str(c.userName),
    database: str(c.database),
    secret: str(c.password),
  };
}

/** "PostgreSQL at 127.0.0.1:5432" / "SQLite file /x/demo.sqlite". */
export function whereText(ep: Endpoint): string {
  if (ep.file !== null) return `${ep.system} file ${ep.file}`;
  return `${ep.system} at ${ep.host ?? '?'}:${ep.port ?? '?'}`;
}

// PostgreSQL type OIDs whose default JS conversion loses exactness or time-zone meaning.
const PG_TEXT_OIDS = new Set([20 /* int8 */, 1700 /* numeric */, 1082 /* date */, 1114 /* timestamp */, 1184 /* timestamptz */, 1083 /* time */]);
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (PG_TEXT_OIDS.has(oid)) return (value: string) => value;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
};

function sqliteFile(config: SqlConfig): string {
  const c = config.connection;
  const file = typeof c === 'string' ? c : str(c.filename);
  if (file === null) throw new ErpError('erp.connection.filename is missing: give the SQLite file path', 'config');
  if (file !== ':memory:' && !existsSync(file)) {
    throw new ErpError(`SQLite file ${resolve(file)} not found; check erp.connection.filename`, 'io');
  }
  return file;
}

/** The knex configuration for a source: per-connection type parsers, UTC sessions, bounded waits. */
export function knexConfig(config: SqlConfig): Knex.Config {
  const c = config.connection;
  const timeout = config.connectTimeoutMs;
  switch (config.client) {
    case 'pg': {
      const connection = typeof c === 'string' ? { connectionString: c } : { ...c };
      return {
        client: 'pg',
        connection: { ...connection, types: pgTypes, connectionTimeoutMillis: timeout, application_name: 'ferry' } as Knex.PgConnectionConfig,
        pool: { min: 0, max: 6 },
        acquireConnectionTimeout: timeout + 5000,
      };
    }
    case 'mysql2': {
      const connection = typeof c === 'string' ? { uri: c } : { ...c };
      return {
        client: 'mysql2',
        connection: {
          ...connection,
          // Exact text for DECIMAL/BIGINT, dates as written (no local-time Date objects).
          supportBigNumbers: true,
          bigNumberStrings: true,
          decimalNumbers: false,
          dateStrings: true,
          timezone: 'Z',
          connectTimeout: timeout,
          charset: 'utf8mb4',
        } as Knex.MySql2ConnectionConfig,
        pool: {
          min: 0,
          max: 6,
          // TIMESTAMP columns are rendered in the session zone: make it UTC like everything else.
          afterCreate: (conn: { query: (sql: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) => {
            conn.query("SET time_zone = '+00:00'", (err) => done(err, conn));
          },
        },
        acquireConnectionTimeout: timeout + 5000,
      };
    }
    case 'mssql': {
      let connection: Record<string, unknown>;
      if (typeof c === 'string') {
        const url = new URL(c);
        connection = {
          server: url.hostname,
          port: url.port ? Number(url.port) : 1433,
          user: decodeURIComponent(url.username),
          password: decodeURIComponent(url.password),
          database: url.pathname.replace(/^\//, ''),
          // The one opt-out a URL can carry: ?trustServerCertificate=true
          ...(url.searchParams.get('trustServerCertificate') === 'true' ? { options: { trustServerCertificate: true } } : {}),
        };
      } else connection = { ...c, server: c.server ?? c.host };
      const options = (connection.options as Record<string, unknown> | undefined) ?? {};
      return {
        client: 'mssql',
        connection: {
          ...connection,
          connectionTimeout: timeout,
          // Encrypted and verified by default: an unverified certificate lets a man in the middle
          // read the password. erp.connection.options.trustServerCertificate: true opts out (warned).
          options: { encrypt: true, trustServerCertificate: false, useUTC: true, ...options },
        } as Knex.MsSqlConnectionConfig,
        pool: { min: 0, max: 6 },
        acquireConnectionTimeout: timeout + 5000,
      };
    }
    case 'better-sqlite3':
      return {
        client: 'better-sqlite3',
        connection: { filename: sqliteFile(config) },
        useNullAsDefault: true,
        // Each open cursor holds a connection and its look-ups (translations, category links) need another; concurrent reads of several streams need a few.
        pool: { min: 0, max: 8 },
      };
  }
}

/**
 * knex prints pool errors ("Acquire connection error") to the console itself; the adapter already
 * turns them into one ErpError, so they go to the debug log instead of doubling the message.
 */
export function createKnex(config: SqlConfig, logger?: Logger): Knex {
  // The message itself, not just "knex": a person reading `warning: …` must see what happened.
  const sink = (level: 'debug' | 'warn') => (message: unknown) => {
    const text = scrubSecrets(message instanceof Error ? message.message : String(message));
    logger?.[level]({ knex: text }, `SQL driver (${SYSTEM_NAMES[config.client]}): ${text.split('\n')[0]}`);
  };
  const knexOptions = knexConfig(config);
  if (config.client === 'mssql' && mssqlTrustsAnyCertificate(knexOptions)) {
    logger?.warn(
      'SQL Server: the server certificate is not verified (trustServerCertificate: true); a man in the middle could read the password and the data. Give the server a trusted certificate and remove the option.',
    );
  }
  return knexFactory({ ...knexOptions, log: { warn: sink('warn'), error: sink('debug'), deprecate: sink('debug'), debug: sink('debug') } });
}

function mssqlTrustsAnyCertificate(options: Knex.Config): boolean {
  const o = (options.connection as { options?: { trustServerCertificate?: unknown; encrypt?: unknown } } | undefined)?.options;
  return o?.trustServerCertificate === true || o?.encrypt === false;
}

/** A timestamp as the database compares it best (see docs/erp-records.md, "SQL delta"). */
export function bindTimestamp(client: SqlClient, date: Date): string | Date {
  const iso = date.toISOString();
  switch (client) {
    case 'pg':
      // timestamptz honours the Z; timestamp (naive UTC by convention) ignores it: both right.
      return iso;
    case 'mysql2':
      return iso.replace('T', ' ').replace('Z', '');
    case 'mssql':
      return date;
    case 'better-sqlite3':
      return iso;
  }
}

export const VERSION_QUERIES: Record<SqlClient, string> = {
  pg: 'select version() as v',
  mysql2: 'select version() as v',
  mssql: 'select @@VERSION as v',
  'better-sqlite3': 'select sqlite_version() as v',
};
