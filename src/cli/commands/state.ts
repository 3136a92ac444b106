/**
 * `ferry state migrate | export | import`: the state store's schema and moving a state between
 * stores (typically the SQLite file to PostgreSQL). Only the config's `state:` section is read,
 * so no PIM or ERP secret needs to be in the environment. Prints and exits; the work is in
 * src/sync/state (dump.ts, the stores).
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../../config/load.js';
import { registerConfigSecrets } from '../../logging.js';
import { stateConfigSchema, type StateConfig } from '../../sync/config.js';
import { readDump, writeDump, DUMP_TABLES, type DumpTable, type StateDumpStore } from '../../sync/state/dump.js';
import { PostgresStateStore } from '../../sync/state/postgres.js';
import { SqliteStateStore } from '../../sync/state/sqlite.js';
import type { StateStore } from '../../sync/state/port.js';
import { connectionFrom, printJson, UserError, withConfigOption } from '../output.js';
import { connectionSection } from '../../config/deployment.js';

interface StateCliOptions {
  config?: string;
  connection?: string;
  state?: string;
  json?: boolean;
}

/** The state section: `--state PATH|URL` when given, else the config file's (paths made absolute). */
async function stateConfigFrom(opts: StateCliOptions): Promise<StateConfig> {
  if (opts.state) {
    const given = /^postgres(ql)?:\/\//.test(opts.state) ? { url: opts.state } : { path: resolve(opts.state) };
    registerConfigSecrets(given);
    return stateConfigSchema.parse(given);
  }
  const file = opts.config ?? DEFAULT_CONFIG_FILE;
  if (!existsSync(file)) throw new UserError(`${file} does not exist; pass --config FILE, or --state PATH (SQLite file) or --state postgres://… .`);
  const src = await connectionFrom(opts);
  const section = connectionSection(src, 'state', stateConfigSchema, process.env, {});
  registerConfigSecrets(section);
  return { ...section, path: resolve(src.baseDir, section.path) };
}

/** Where the state lives, for people: the file, or the database without its credentials. */
export function describeState(config: StateConfig): string {
  if (config.driver === 'sqlite') return `SQLite ${config.path}`;
  try {
    const u = new URL(config.url!);
    return `PostgreSQL ${u.hostname}:${u.port || '5432'}${u.pathname} (schema ${config.schema ?? 'public'})`;
  } catch {
    return `PostgreSQL (schema ${config.schema ?? 'public'})`;
  }
}

type AnyStore = StateStore & StateDumpStore & { schemaVersion(): number | Promise<number> };

/** The store, not migrated yet (migrate reports the version before and after). */
function storeFor(config: StateConfig): AnyStore {
  if (config.driver === 'sqlite') return new SqliteStateStore(config.path);
  return new PostgresStateStore({ url: config.url!, ...(config.schema ? { schema: config.schema } : {}) });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function countsLine(counts: Record<DumpTable, number>): string {
  return DUMP_TABLES.map((t) => `${t} ${counts[t]}`).join(', ');
}

export function registerStateCommands(program: Command): void {
  const state = program.command('state').description('The state store: schema migrations, export and import (e.g. SQLite → PostgreSQL).');

  const stateOption = ['--state <path|url>', 'the state to use instead of the config\'s: a SQLite file or postgres://user:password@host/db'] as const;

  withConfigOption(
    state
      .command('migrate')
      .description('Create or upgrade the state schema (every command also does it on open; this one says what it did).')
      .option(...stateOption)
      .option('--json', 'print one JSON object'),
  ).action(async (o: StateCliOptions) => {
    const config = await stateConfigFrom(o);
    const store = storeFor(config);
    try {
      const before = await store.schemaVersion();
      await store.migrate();
      const after = await store.schemaVersion();
      if (o.json) printJson({ state: describeState(config), driver: config.driver, from: before, to: after });
      else process.stdout.write(before === after ? `${describeState(config)}: schema at version ${after}, nothing to do.\n` : `${describeState(config)}: schema migrated from version ${before} to ${after}.\n`);
    } finally {
      await store.close();
    }
  });

  withConfigOption(
    state
      .command('export')
      .description('Write the whole state (entities and their hashes, watermarks, runs, run records, rejects, media, retries, group members) as NDJSON.')
      .option(...stateOption)
      .option('--out <file>', 'file to write (default: standard output)'),
  ).action(async (o: StateCliOptions & { out?: string }) => {
    const config = await stateConfigFrom(o);
    if (config.driver === 'sqlite' && !existsSync(config.path)) throw new UserError(`${config.path} does not exist: there is no state to export. Check state.path or --state.`);
    const store = storeFor(config);
    try {
      await store.migrate();
      const out = o.out ? createWriteStream(o.out, { mode: 0o600 }) : process.stdout;
      const counts = await writeDump(store, describeState(config), out);
      if (o.out) {
        out.end();
        await finished(out);
      }
      process.stderr.write(`exported ${describeState(config)}${o.out ? ` to ${o.out}` : ''}: ${countsLine(counts)}\n`);
    } finally {
      await store.close();
    }
  });

  withConfigOption(
    state
      .command('import')
      .description('Load a file written by ferry state export into this (empty) state, all or nothing.')
      .option(...stateOption)
      .option('--in <file>', 'file to read (default: standard input)'),
  ).action(async (o: StateCliOptions & { in?: string }) => {
    const config = await stateConfigFrom(o);
    if (o.in && !existsSync(o.in)) throw new UserError(`${o.in} does not exist; pass the file ferry state export wrote (--out).`);
    const store = storeFor(config);
    try {
      await store.migrate();
      if (!(await store.isEmpty())) {
        throw new UserError(
          `${describeState(config)} already holds a state (entities or runs); import only into an empty one. Point --state or the config at a new database, schema or file.`,
        );
      }
      const input = o.in ? createReadStream(o.in) : process.stdin;
      const counts = await store.loadDump(readDump(input));
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      process.stdout.write(`imported ${plural(total, 'row')} into ${describeState(config)}: ${countsLine(counts)}\n`);
    } finally {
      await store.close();
    }
  });
}
