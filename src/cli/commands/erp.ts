/**
 * `ferry erp check | describe | read | demo`: look at the ERP through the port, exactly as the
 * sync engine sees it. Only the `erp:` section of ferry.yaml is needed (no PIM yet).
 */
import type { Command } from 'commander';
import { ConfigError, DEFAULT_CONFIG_FILE, readConfigFile } from '../../config/load.js';
import { connectionSection, sectionKey } from '../../config/deployment.js';
import { countedRead, normalizeRecord, parseSince } from '../../erp/common/index.js';
import { erpConfigSchema, type ErpConfig } from '../../erp/config.js';
import { generateDemoErp } from '../../erp/demo/index.js';
import { createErpSource } from '../../erp/factory.js';
import { ErpError, STREAM_NAMES, type CheckResult, type ErpRecord, type ErpSource, type FieldValue, type StreamName } from '../../erp/port.js';
import { demoConfigSchema } from '../../erp/sql/config.js';
import { resolveErpPaths } from '../../config/paths.js';
import { scrubSecrets } from '../../logging.js';
import { createHumanLogger } from '../human-log.js';
import { connectionFrom, printJson, UserError, withConfigOption, type ConfigOptions } from '../output.js';

/** Reads and validates only the `erp:` section, with the same ${ENV} rules as the full loader. */
export async function loadErpConfig(file: string | ConfigOptions = DEFAULT_CONFIG_FILE, env: NodeJS.ProcessEnv = process.env): Promise<ErpConfig> {
  const opts = typeof file === 'string' ? { config: file } : file;
  // What to create when the file is missing: an ERP check needs nothing but the erp: section.
  await readConfigFile(opts.config ?? DEFAULT_CONFIG_FILE, 'create it with an `erp:` section (e.g. `erp: { type: demo }`)');
  const src = await connectionFrom(opts);
  if (src.raw.erp === undefined || src.raw.erp === null) {
    throw new ConfigError(src.file, [{ path: sectionKey(src, 'erp'), message: 'missing; add an `erp:` section with `type: tryton | sql | files | demo` and its keys' }]);
  }
  // Relative folders and files are relative to the config file, as in the full loader.
  return resolveErpPaths(connectionSection(src, 'erp', erpConfigSchema, env), src.baseDir);
}

function asUserError(err: unknown): unknown {
  if (err instanceof ErpError) return new UserError(scrubSecrets(err.message));
  return err;
}

async function withSource<T>(opts: ConfigOptions, run: (source: ErpSource, config: ErpConfig) => Promise<T>): Promise<T> {
  const config = await loadErpConfig(opts);
  let source: ErpSource;
  try {
    // The adapters' warnings (e.g. Tryton's fuzzy translations) reach the person reading.
    source = createErpSource(config, { readOnly: true, logger: createHumanLogger() });
  } catch (err) {
    throw asUserError(err);
  }
  try {
    return await run(source, config);
  } catch (err) {
    throw asUserError(err);
  } finally {
    await source.close().catch(() => undefined);
  }
}

export function formatCheck(result: CheckResult): string {
  const lines = [`${result.ok ? 'OK' : 'FAILED'}  ${result.system}`];
  for (const [k, v] of Object.entries(result.details)) lines.push(`  ${k}: ${v === null ? '-' : String(v)}`);
  const counts = Object.entries(result.counts);
  if (counts.length > 0) lines.push(`  records: ${counts.map(([s, n]) => `${s} ${n ?? '?'}`).join(', ')}`);
  if (result.problems.length > 0) {
    lines.push('problems:');
    for (const p of result.problems) lines.push(`  - ${p}`);
  }
  return lines.join('\n');
}

function positiveInt(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UserError(`--${flag} must be a positive integer, got "${value}"`);
  return Number(value);
}

/** One field value in a table cell: short and readable, not JSON. */
export function cellText(value: FieldValue): string {
  if (value === null) return '∅';
  if (Array.isArray(value)) return value.map(cellText).join('|');
  if (typeof value !== 'object') return String(value);
  switch (value.kind) {
    case 'localized':
      return Object.entries(value.values)
        .map(([l, t]) => `${l}:${t}`)
        .join(' / ');
    case 'quantity':
      return `${value.amount} ${value.unit}`;
    case 'decimal':
      return value.value;
    case 'money':
      return `${value.amount} ${value.currency}`;
  }
}

function clip(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`;
}

const TABLE_COLUMNS: [string, number][] = [
  ['KEY', 22],
  ['GROUP', 16],
  ['UPDATED', 20],
  ['ACTIVE', 6],
  ['FIELDS', 0],
];

function tableHeader(): string {
  return TABLE_COLUMNS.map(([h, w]) => (w > 0 ? h.padEnd(w) : h)).join('  ');
}

export function tableRow(record: ErpRecord): string {
  const fields = Object.entries(record.fields)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${cellText(v)}`)
    .join('; ');
  const cells = [
    clip(record.key, 22),
    clip(record.group ?? record.parent ?? '', 16),
    clip(record.updatedAt ? record.updatedAt.slice(0, 19).replace('T', ' ') : '-', 20),
    clip(record.active === undefined ? '' : record.active ? 'yes' : 'no', 6),
    fields.length > 160 ? `${fields.slice(0, 159)}…` : fields,
  ];
  return cells.join('  ');
}

interface ReadFlags {
  config?: string;
  connection?: string;
  stream: string;
  since?: string;
  keys?: string;
  limit?: string;
  format: string;
}

async function runRead(flags: ReadFlags): Promise<void> {
  if (!(STREAM_NAMES as readonly string[]).includes(flags.stream)) {
    throw new UserError(`--stream must be one of ${STREAM_NAMES.join(', ')}, got "${flags.stream}"`);
  }
  if (flags.format !== 'ndjson' && flags.format !== 'table') throw new UserError(`--format must be ndjson or table, got "${flags.format}"`);
  if (flags.since !== undefined) {
    try {
      parseSince(flags.since);
    } catch (err) {
      throw new UserError(`--since: ${(err as Error).message}`);
    }
  }
  const stream = flags.stream as StreamName;
  const limit = flags.limit !== undefined ? positiveInt('limit', flags.limit) : undefined;
  const keys = flags.keys !== undefined ? flags.keys.split(',').map((k) => k.trim()).filter((k) => k !== '') : undefined;
  await withSource(flags, async (source) => {
    if (!source.streams.includes(stream)) {
      throw new UserError(`this ERP has no ${stream} stream (it offers: ${source.streams.join(', ') || 'none'})`);
    }
    const { records, counts } = countedRead(source, stream, {
      ...(flags.since !== undefined ? { since: flags.since } : {}),
      ...(keys ? { keys } : {}),
      ...(limit !== undefined ? { limit } : {}),
      onReject: (r) => process.stderr.write(`rejected: ${r.location}: ${r.message}\n  raw: ${r.raw}\n`),
    });
    const out = process.stdout;
    if (flags.format === 'table') out.write(`${tableHeader()}\n`);
    for await (const record of records) {
      const line = flags.format === 'table' ? tableRow(record) : JSON.stringify(normalizeRecord(record));
      // Respect back-pressure: piping 100,000 records into `head` or a file must not buffer them all.
      if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once('drain', resolve));
    }
    process.stderr.write(`${stream}: ${counts.read} read, ${counts.rejected} rejected\n`);
  });
}

export function registerErpCommands(program: Command): void {
  const erp = program.command('erp').description('inspect the ERP through Ferry (check the connection, list fields, read records)');

  withConfigOption(erp.command('check'))
    .description('connect to the ERP, authenticate, and report what was found')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { config: string; json?: boolean }) => {
      await withSource(opts, async (source) => {
        const result = await source.check();
        if (opts.json) printJson(result);
        else process.stdout.write(`${formatCheck(result)}\n`);
        if (!result.ok) process.exitCode = 1;
      });
    });

  withConfigOption(erp.command('describe'))
    .description('list the streams and their fields with types (what the mapping can use)')
    .option('--json', 'print as JSON (default: readable text)')
    .action(async (opts: { config: string; json?: boolean }) => {
      await withSource(opts, async (source) => {
        const streams = await source.describe();
        if (opts.json) {
          printJson(streams);
          return;
        }
        for (const s of streams) {
          process.stdout.write(`${s.stream}${s.supportsDelta ? '' : ' (no delta: every read is full)'}\n`);
          if (s.deltaStrategy) process.stdout.write(`  delta: ${s.deltaStrategy}\n`);
          for (const f of s.fields) {
            const extra = [f.languages ? `languages ${f.languages.join(',')}` : '', f.units ? `units ${f.units.join(',')}` : '', f.options ? `${f.options.length} options` : '']
              .filter(Boolean)
              .join('; ');
            process.stdout.write(`  ${f.name.padEnd(24)} ${f.type}${extra ? `  (${extra})` : ''}\n`);
          }
        }
      });
    });

  withConfigOption(erp.command('read'))
    .description('read records, one normalized record per line; ends with the counts of read and rejected records on stderr')
    .option('--stream <stream>', `stream to read (${STREAM_NAMES.join(', ')})`, 'items')
    .option('--since <iso>', 'only records changed since this ISO-8601 time (inclusive, widened by the adapter margin)')
    .option('--keys <keys>', 'comma-separated keys to read')
    .option('--limit <n>', 'stop after n records')
    .option('--format <format>', 'ndjson or table', 'ndjson')
    .action(async (flags: ReadFlags) => runRead(flags));

  erp
    .command('demo')
    .description('(re)generate the SQLite demo ERP')
    .option('--path <file>', 'where to write it', demoConfigSchema.shape.path.def.defaultValue as string)
    .option('--items <n>', 'number of items', '500')
    .option('--seed <n>', 'generator seed', '42')
    .action((opts: { path: string; items: string; seed: string }) => {
      const items = positiveInt('items', opts.items);
      if (!/^-?\d+$/.test(opts.seed)) throw new UserError(`--seed must be an integer, got "${opts.seed}"`);
      const started = Date.now();
      const summary = generateDemoErp({ path: opts.path, items, seed: Number(opts.seed) });
      process.stdout.write(
        `${summary.path}: ${summary.items} items in ${summary.templates} templates, ${summary.categories} categories (seed ${summary.seed}, ${Date.now() - started} ms)\n`,
      );
    });
}
