/**
 * Reading one stream: the SELECT (columns quoted by knex, every value bound), the delta
 * window with group propagation, the cursor, the per-batch look-ups (translations, category
 * links) and the conversion of each row, rejecting bad rows with their table, key and field.
 */
import type { Knex } from 'knex';
import { RecordProblem, RejectCollector, deltaWindow, laterOf, splitList, toBoolean, toIsoTimestamp, toText, type DeltaWindow } from '../common/index.js';
import type { ErpRecord, FieldValue, ReadOptions, StreamName } from '../port.js';
import { chunks } from '../../util/chunks.js';
import type { SqlClient, SqlStreamConfig } from './config.js';
import { streamRows, type Row } from './cursor.js';
import { bindTimestamp } from './dialect.js';
import { convertField, fieldSpecs, streamColumns, type FieldSpec, type TranslationsByField } from './fields.js';

/** Alias of the group's updated-at column in the joined SELECT; prefixed so it cannot meet a real column. */
const GROUP_UPDATED = 'ferry__group_updated_at';
/** How many keys one `IN (…)` binds: far below every database's parameter limit. */
const KEYS_PER_QUERY = 500;

export interface StreamContext {
  knex: Knex;
  client: SqlClient;
  name: StreamName;
  config: SqlStreamConfig;
  batchSize: number;
  deltaMarginSeconds: number;
}

/** Where the stream's rows come from: its table, or its configured query as a subquery. */
export function baseTable(knex: Knex, config: SqlStreamConfig): Knex.QueryBuilder {
  if (config.table) return knex.from({ t: config.table });
  // The query text comes from ferry.yaml (trusted like any SQL view definition); "?" is escaped so
  // knex never takes it for a placeholder.
  return knex.from(knex.raw(`(${config.query!.replace(/\?/g, '\\?')}) as t`));
}

/** What the stream calls itself in messages: `table items` or `query of stream items`. */
export function sourceName(ctx: Pick<StreamContext, 'name' | 'config'>): string {
  return ctx.config.table ? `table ${ctx.config.table}` : `query of stream ${ctx.name}`;
}

export function buildSelect(
  ctx: StreamContext,
  specs: Map<string, FieldSpec>,
  options: { window?: DeltaWindow; keys?: string[]; limit?: number },
): Knex.QueryBuilder {
  const { knex, config } = ctx;
  const q = baseTable(knex, config);
  const select: Record<string, string> = {};
  const exact = ctx.client === 'mssql' ? exactColumns(specs) : new Set<string>();
  for (const col of streamColumns(config, specs)) {
    // tedious returns DECIMAL/NUMERIC as JS numbers (15 significant digits): read them as text.
    if (exact.has(col)) q.select(knex.raw('CAST(?? AS varchar(64)) AS ??', [`t.${col}`, col]));
    else select[col] = `t.${col}`;
  }
  q.select(select);
  const gc = config.groupChanges && config.group ? config.groupChanges : undefined;
  if (gc) {
    q.leftJoin({ g: gc.table }, `t.${config.group!}`, `g.${gc.key}`);
    q.select({ [GROUP_UPDATED]: `g.${gc.updatedAt}` });
  }
  if (options.window) {
    const from = bindTimestamp(ctx.client, options.window.from);
    const since = (b: Knex.QueryBuilder, column: string): Knex.QueryBuilder =>
      // SQLite has no timestamp type: compare instants, not texts, so "2024-05-01 10:00:00" and
      // "2024-05-01T10:00:00Z" meet.
      ctx.client === 'better-sqlite3' ? b.whereRaw('julianday(??) >= julianday(?)', [column, from]) : b.where(column, '>=', from);
    const itemColumn = config.updatedAt ? `t.${config.updatedAt}` : undefined;
    if (itemColumn || gc) {
      q.where((w) => {
        if (itemColumn) since(w, itemColumn);
        if (gc) w.orWhere((o) => since(o, `g.${gc.updatedAt}`));
      });
    }
  }
  if (options.keys) q.whereIn(`t.${config.key}`, options.keys);
  q.orderBy(`t.${config.key}`);
  if (options.limit !== undefined) q.limit(options.limit);
  return q;
}

/** Columns holding exact amounts: decimal fields, quantity and money amounts. */
function exactColumns(specs: Map<string, FieldSpec>): Set<string> {
  const out = new Set<string>();
  for (const spec of specs.values()) {
    if (spec.kind === 'scalar' && spec.type === 'decimal') out.add(spec.column);
    else if (spec.kind === 'quantity' || spec.kind === 'money') out.add(spec.amount);
  }
  return out;
}

async function lookUpTranslations(ctx: StreamContext, specs: Map<string, FieldSpec>, keys: string[]): Promise<TranslationsByField> {
  const out: TranslationsByField = new Map();
  for (const [name, spec] of specs) {
    if (spec.kind !== 'localizedTable') continue;
    const byKey = new Map<string, Record<string, string>>();
    const q = ctx.knex
      .from(spec.table)
      .select({ k: spec.key, l: spec.language, v: spec.value })
      .whereIn(spec.key, keys);
    if (spec.field) q.where(spec.field.column, spec.field.value);
    if (spec.languages) q.whereIn(spec.language, spec.languages);
    for (const row of (await q) as { k: unknown; l: unknown; v: unknown }[]) {
      const k = toText(row.k);
      const l = toText(row.l);
      const v = toText(row.v, false);
      if (k === null || l === null || v === null) continue;
      const entry = byKey.get(k) ?? {};
      entry[l] = v;
      byKey.set(k, entry);
    }
    out.set(name, byKey);
  }
  return out;
}

async function lookUpCategoryLinks(ctx: StreamContext, keys: string[]): Promise<Map<string, string[]> | undefined> {
  const cats = ctx.config.categories;
  if (!cats || typeof cats === 'string' || !('table' in cats)) return undefined;
  const out = new Map<string, string[]>();
  const rows = (await ctx.knex.from(cats.table).select({ k: cats.key, c: cats.category }).whereIn(cats.key, keys)) as { k: unknown; c: unknown }[];
  for (const row of rows) {
    const k = toText(row.k);
    const c = toText(row.c);
    if (k === null || c === null) continue;
    const list = out.get(k) ?? [];
    list.push(c);
    out.set(k, list);
  }
  return out;
}

interface BatchLookups {
  translations: TranslationsByField;
  categoryLinks: Map<string, string[]> | undefined;
}

function convertRow(ctx: StreamContext, specs: Map<string, FieldSpec>, row: Row, key: string, lookups: BatchLookups): ErpRecord {
  const { config } = ctx;
  let updatedAt: string | null = null;
  if (config.updatedAt) updatedAt = toIsoTimestamp(row[config.updatedAt], config.updatedAt);
  if (config.groupChanges) {
    // An item's effective change time includes its group's: the engine's watermark then moves past both.
    updatedAt = laterOf(updatedAt, toIsoTimestamp(row[GROUP_UPDATED], `${config.groupChanges.table}.${config.groupChanges.updatedAt}`));
  }
  const record: ErpRecord = { stream: ctx.name, key, updatedAt, fields: {} };
  if (config.group) record.group = toText(row[config.group]);
  if (config.parent) record.parent = toText(row[config.parent]);
  const cats = config.categories;
  if (cats !== undefined) {
    if (typeof cats === 'string') record.categories = splitList(row[cats], ',') ?? [];
    else if ('column' in cats) record.categories = splitList(row[cats.column], cats.separator) ?? [];
    else record.categories = lookups.categoryLinks?.get(key) ?? [];
  }
  if (config.active !== undefined) {
    const col = typeof config.active === 'string' ? config.active : config.active.column;
    const invert = typeof config.active === 'string' ? false : config.active.invert;
    const flag = toBoolean(row[col], col);
    // No flag at all means nobody archived it.
    record.active = flag === null ? true : invert ? !flag : flag;
  }
  const fields: Record<string, FieldValue> = {};
  for (const [name, spec] of specs) fields[name] = convertField(name, spec, row, key, lookups.translations);
  record.fields = fields;
  return record;
}

/** Reads a stream: yields converted records in key order, rejects bad rows through onReject and reads on. */
export async function* readStream(ctx: StreamContext, options: ReadOptions = {}): AsyncGenerator<ErpRecord> {
  // Keys only: no field is selected, converted or looked up (translations).
  const specs = options.fields === 'none' ? new Map<string, FieldSpec>() : fieldSpecs(ctx.config);
  const window = options.since !== undefined ? deltaWindow(options.since, ctx.deltaMarginSeconds) : undefined;
  const rejects = new RejectCollector(ctx.name, options.onReject);
  const keyChunks: (string[] | undefined)[] = options.keys ? chunks([...new Set(options.keys)], KEYS_PER_QUERY) : [undefined];
  let remaining = options.limit ?? Infinity;
  const where = sourceName(ctx);

  for (const keys of keyChunks) {
    if (remaining <= 0) return;
    const query = buildSelect(ctx, specs, {
      ...(window ? { window } : {}),
      ...(keys ? { keys } : {}),
      ...(Number.isFinite(remaining) ? { limit: remaining } : {}),
    });
    for await (const rows of streamRows(ctx.knex, ctx.client, query, ctx.batchSize)) {
      options.signal?.throwIfAborted();
      const keyed: { row: Row; key: string | null }[] = rows.map((row) => ({ row, key: safeKey(row[ctx.config.key]) }));
      const batchKeys = keyed.flatMap((r) => (r.key === null ? [] : [r.key]));
      const lookups: BatchLookups = {
        translations: batchKeys.length > 0 ? await lookUpTranslations(ctx, specs, batchKeys) : new Map(),
        categoryLinks: batchKeys.length > 0 ? await lookUpCategoryLinks(ctx, batchKeys) : undefined,
      };
      for (const { row, key } of keyed) {
        if (remaining <= 0) return;
        options.signal?.throwIfAborted();
        if (key === null) {
          rejects.reject({ location: `${where}, row without key`, field: ctx.config.key, raw: row, message: `key column ${ctx.config.key} is empty` });
          remaining--;
          continue;
        }
        let record: ErpRecord;
        try {
          record = convertRow(ctx, specs, row, key, lookups);
        } catch (err) {
          if (!(err instanceof RecordProblem)) throw err;
          rejects.reject({
            location: `${where}, key ${key}${err.field ? `, field ${err.field}` : ''}`,
            key,
            ...(err.field ? { field: err.field } : {}),
            raw: row,
            message: `${err.message}; fix the row in the ERP (${where}, ${ctx.config.key} = ${key})`,
          });
          remaining--;
          continue;
        }
        remaining--;
        yield record;
      }
    }
  }
}

function safeKey(value: unknown): string | null {
  return toText(typeof value === 'bigint' ? value.toString() : value);
}
