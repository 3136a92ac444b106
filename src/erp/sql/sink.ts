/**
 * Upserting records into a stream's table (the PIM → ERP direction). The field map is applied
 * backwards: a localized text goes to its language columns or translation rows, a quantity to
 * its amount and unit columns. Each record gets its own outcome; a record the table refuses
 * fails alone, the others are written.
 */
import type { Knex } from 'knex';
import { isBlank, toBoolean, toExactDecimal, toIsoTimestamp, toText } from '../common/index.js';
import type { ErpRecord, FieldValue, SinkResult } from '../port.js';
import type { SqlClient, SqlStreamConfig } from './config.js';
import { bindTimestamp } from './dialect.js';
import { fieldSpecs, type FieldSpec } from './fields.js';

type Cell = string | number | boolean | Date | null;
type CompareAs = 'text' | 'decimal' | 'boolean' | 'datetime';

interface PlannedRow {
  record: ErpRecord;
  row: Record<string, Cell>;
  compare: Record<string, CompareAs>;
  translations: { spec: Extract<FieldSpec, { kind: 'localizedTable' }>; lang: string; value: string }[];
  categories?: string[];
  ignored: string[];
}

export interface SinkContext {
  knex: Knex;
  client: SqlClient;
  config: SqlStreamConfig;
  streamName: string;
}

class SinkProblem extends Error {}

const CHUNK = 200;

function scalarOut(value: FieldValue, field: string): string | number | boolean | null {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (!Array.isArray(value) && value.kind === 'decimal') return value.value;
  throw new SinkProblem(`field ${field}: a ${Array.isArray(value) ? 'list' : value.kind} cannot be written to a single column`);
}

function plan(ctx: SinkContext, specs: Map<string, FieldSpec>, record: ErpRecord): PlannedRow {
  const { config, client } = ctx;
  const row: Record<string, Cell> = { [config.key]: record.key };
  const compare: Record<string, CompareAs> = {};
  const translations: PlannedRow['translations'] = [];
  const ignored: string[] = [];
  if (config.group && record.group !== undefined) row[config.group] = record.group;
  if (config.parent && record.parent !== undefined) row[config.parent] = record.parent;
  if (config.active !== undefined && record.active !== undefined) {
    const col = typeof config.active === 'string' ? config.active : config.active.column;
    const invert = typeof config.active === 'string' ? false : config.active.invert;
    row[col] = invert ? !record.active : record.active;
    compare[col] = 'boolean';
  }
  let categories: string[] | undefined;
  const cats = config.categories;
  if (cats !== undefined && record.categories !== undefined) {
    if (typeof cats === 'string') row[cats] = record.categories.join(',');
    else if ('column' in cats) row[cats.column] = record.categories.join(cats.separator);
    else categories = record.categories;
  }
  for (const [name, value] of Object.entries(record.fields)) {
    const spec = specs.get(name);
    if (!spec) {
      ignored.push(name);
      continue;
    }
    switch (spec.kind) {
      case 'scalar': {
        const v = scalarOut(value, name);
        if (spec.type === 'datetime' && typeof v === 'string') {
          const iso = toIsoTimestamp(v, name);
          row[spec.column] = iso === null ? null : bindTimestamp(client, new Date(iso));
          compare[spec.column] = 'datetime';
        } else {
          row[spec.column] = v;
          compare[spec.column] = spec.type === 'decimal' ? 'decimal' : spec.type === 'boolean' ? 'boolean' : 'text';
        }
        break;
      }
      case 'multiselect':
        if (value !== null && !Array.isArray(value)) throw new SinkProblem(`field ${name}: expected a list of values`);
        row[spec.column] = value === null || value.length === 0 ? null : value.map((v) => String(v)).join(spec.separator);
        break;
      case 'localizedColumns': {
        if (value !== null && (Array.isArray(value) || typeof value !== 'object' || value.kind !== 'localized')) {
          throw new SinkProblem(`field ${name}: expected a localized text`);
        }
        for (const [lang, col] of Object.entries(spec.columns)) {
          if (value === null) row[col] = null;
          else if (lang in value.values) row[col] = value.values[lang] ?? null;
        }
        const unknown = value === null ? [] : Object.keys(value.values).filter((l) => !(l in spec.columns));
        if (unknown.length > 0) ignored.push(`${name} (${unknown.join(', ')}: no column)`);
        break;
      }
      case 'localizedTable': {
        if (value === null) break;
        if (Array.isArray(value) || typeof value !== 'object' || value.kind !== 'localized') throw new SinkProblem(`field ${name}: expected a localized text`);
        for (const [lang, text] of Object.entries(value.values)) translations.push({ spec, lang, value: text });
        break;
      }
      case 'quantity': {
        if (value === null) {
          row[spec.amount] = null;
          break;
        }
        if (Array.isArray(value) || typeof value !== 'object' || value.kind !== 'quantity') throw new SinkProblem(`field ${name}: expected a quantity`);
        if (spec.fixedUnit && spec.fixedUnit.toLowerCase() !== value.unit.toLowerCase()) {
          throw new SinkProblem(`field ${name}: unit ${value.unit} given, but column ${spec.amount} holds ${spec.fixedUnit}; convert it first`);
        }
        row[spec.amount] = value.amount;
        compare[spec.amount] = 'decimal';
        if (spec.unit) row[spec.unit] = value.unit;
        break;
      }
      case 'money': {
        if (value === null) {
          row[spec.amount] = null;
          break;
        }
        if (Array.isArray(value) || typeof value !== 'object' || value.kind !== 'money') throw new SinkProblem(`field ${name}: expected a money amount`);
        if (spec.fixedCurrency && spec.fixedCurrency.toUpperCase() !== value.currency.toUpperCase()) {
          throw new SinkProblem(`field ${name}: currency ${value.currency} given, but column ${spec.amount} holds ${spec.fixedCurrency}`);
        }
        row[spec.amount] = value.amount;
        compare[spec.amount] = 'decimal';
        if (spec.currency) row[spec.currency] = value.currency;
        break;
      }
    }
  }
  return { record, row, compare, translations, ...(categories ? { categories } : {}), ignored };
}

function same(a: unknown, b: unknown, how: CompareAs): boolean {
  if (isBlank(a) || isBlank(b)) return isBlank(a) && isBlank(b);
  try {
    switch (how) {
      case 'decimal': {
        const strip = (s: string | null) => (s ?? '').replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '').replace(/^-0$/, '0');
        return strip(toExactDecimal(a)) === strip(toExactDecimal(b));
      }
      case 'boolean':
        return toBoolean(a) === toBoolean(b);
      case 'datetime':
        return toIsoTimestamp(a instanceof Date ? a.toISOString() : a) === toIsoTimestamp(b instanceof Date ? b.toISOString() : b);
      default:
        return toText(a, false) === toText(b, false);
    }
  } catch {
    return false;
  }
}

async function writeRows(ctx: SinkContext, trx: Knex.Transaction, table: string, rows: PlannedRow[]): Promise<void> {
  const { config } = ctx;
  const byShape = new Map<string, Record<string, Cell>[]>();
  for (const p of rows) {
    const shape = Object.keys(p.row).sort().join('\u0000');
    const list = byShape.get(shape) ?? [];
    list.push(p.row);
    byShape.set(shape, list);
  }
  for (const list of byShape.values()) {
    const cols = Object.keys(list[0]!);
    const updateCols = cols.filter((c) => c !== config.key);
    if (ctx.client === 'mssql') {
      for (const row of list) await mssqlMerge(trx, table, config.key, row);
      continue;
    }
    const q = trx(table).insert(list).onConflict(config.key);
    await (updateCols.length > 0 ? q.merge(updateCols) : q.ignore());
  }
  for (const p of rows) {
    for (const t of p.translations) {
      const row: Record<string, Cell> = { [t.spec.key]: p.record.key, [t.spec.language]: t.lang, [t.spec.value]: t.value };
      const conflict = [t.spec.key, t.spec.language];
      if (t.spec.field) {
        row[t.spec.field.column] = t.spec.field.value;
        conflict.push(t.spec.field.column);
      }
      if (ctx.client === 'mssql') {
        const where = Object.fromEntries(conflict.map((c) => [c, row[c]!]));
        const n = await trx(t.spec.table).where(where).update({ [t.spec.value]: t.value });
        if (n === 0) await trx(t.spec.table).insert(row);
      } else await trx(t.spec.table).insert(row).onConflict(conflict).merge([t.spec.value]);
    }
    const cats = config.categories;
    if (p.categories && cats && typeof cats !== 'string' && 'table' in cats) {
      await trx(cats.table).where(cats.key, p.record.key).delete();
      if (p.categories.length > 0) await trx(cats.table).insert(p.categories.map((c) => ({ [cats.key]: p.record.key, [cats.category]: c })));
    }
  }
}

/** SQL Server has no ON CONFLICT: MERGE with every value bound and every identifier quoted by knex. */
export function mssqlMergeStatement(table: string, key: string, row: Record<string, Cell>): { sql: string; bindings: Knex.RawBinding[] } {
  const cols = Object.keys(row);
  const others = cols.filter((c) => c !== key);
  const ids = (list: string[]) => list.map(() => '??').join(', ');
  const sql =
    `MERGE INTO ?? WITH (HOLDLOCK) AS t USING (VALUES (${cols.map(() => '?').join(', ')})) AS s (${ids(cols)}) ON t.?? = s.?? ` +
    (others.length > 0 ? `WHEN MATCHED THEN UPDATE SET ${others.map(() => 't.?? = s.??').join(', ')} ` : '') +
    `WHEN NOT MATCHED THEN INSERT (${ids(cols)}) VALUES (${cols.map(() => 's.??').join(', ')});`;
  const bindings: Knex.RawBinding[] = [table, ...cols.map((c) => row[c] as Knex.RawBinding), ...cols, key, key];
  for (const c of others) bindings.push(c, c);
  bindings.push(...cols, ...cols);
  return { sql, bindings };
}

async function mssqlMerge(trx: Knex.Transaction, table: string, key: string, row: Record<string, Cell>): Promise<void> {
  const { sql, bindings } = mssqlMergeStatement(table, key, row);
  await trx.raw(sql, bindings);
}

async function existingRows(ctx: SinkContext, trx: Knex.Transaction, table: string, rows: PlannedRow[]): Promise<Map<string, Record<string, unknown>>> {
  const cols = new Set<string>([ctx.config.key]);
  for (const p of rows) for (const c of Object.keys(p.row)) cols.add(c);
  const found = (await trx(table)
    .select([...cols])
    .whereIn(
      ctx.config.key,
      rows.map((p) => p.record.key),
    )) as Record<string, unknown>[];
  return new Map(found.map((r) => [String(toText(r[ctx.config.key])), r]));
}

async function existingTranslations(trx: Knex.Transaction, p: PlannedRow): Promise<boolean> {
  // True when every translation given is already stored as is.
  for (const t of p.translations) {
    const q = trx(t.spec.table).select({ v: t.spec.value }).where(t.spec.key, p.record.key).where(t.spec.language, t.lang);
    if (t.spec.field) q.where(t.spec.field.column, t.spec.field.value);
    const found = (await q.first()) as { v: unknown } | undefined;
    if (!found || toText(found.v, false) !== t.value) return false;
  }
  return true;
}

async function sameCategoryLinks(ctx: SinkContext, trx: Knex.Transaction, p: PlannedRow): Promise<boolean> {
  const cats = ctx.config.categories;
  if (p.categories === undefined || !cats || typeof cats === 'string' || !('table' in cats)) return true;
  const rows = (await trx(cats.table).select({ c: cats.category }).where(cats.key, p.record.key)) as { c: unknown }[];
  const stored = [...new Set(rows.map((r) => toText(r.c)).filter((c): c is string => c !== null))].sort();
  const wanted = [...new Set(p.categories)].sort();
  return stored.length === wanted.length && stored.every((c, i) => c === wanted[i]);
}

async function upsertChunk(ctx: SinkContext, table: string, rows: PlannedRow[]): Promise<SinkResult[]> {
  return ctx.knex.transaction(async (trx) => {
    const existing = await existingRows(ctx, trx, table, rows);
    const results: SinkResult[] = [];
    const toWrite: PlannedRow[] = [];
    for (const p of rows) {
      const before = existing.get(p.record.key);
      const note = p.ignored.length > 0 ? `not written (no column configured): ${p.ignored.join(', ')}` : undefined;
      let outcome: SinkResult['outcome'] = 'created';
      if (before) {
        const unchanged =
          Object.entries(p.row).every(([col, v]) => same(before[col], v, p.compare[col] ?? 'text')) &&
          (await sameCategoryLinks(ctx, trx, p)) &&
          (await existingTranslations(trx, p));
        outcome = unchanged ? 'unchanged' : 'updated';
      }
      if (outcome !== 'unchanged') toWrite.push(p);
      results.push({ key: p.record.key, outcome, ...(note ? { message: note } : {}) });
    }
    if (toWrite.length > 0) {
      // Stamp what we write, so the ERP's own delta readers (and ours) see the change.
      const stamp = ctx.config.updatedAt ? bindTimestamp(ctx.client, new Date()) : undefined;
      const stamped = stamp === undefined ? toWrite : toWrite.map((p) => ({ ...p, row: { ...p.row, [ctx.config.updatedAt!]: stamp } }));
      await writeRows(ctx, trx, table, stamped);
    }
    return results;
  });
}

export async function upsertRecords(ctx: SinkContext, records: ErpRecord[]): Promise<SinkResult[]> {
  const table = ctx.config.sink?.table ?? ctx.config.table;
  if (!table) {
    return records.map((r) => ({
      key: r.key,
      outcome: 'failed' as const,
      message: `stream ${ctx.streamName} reads a query; set erp.streams.${ctx.streamName}.sink.table to write to it`,
    }));
  }
  const specs = fieldSpecs(ctx.config);
  const results = new Map<number, SinkResult>();
  const planned: { index: number; plan: PlannedRow }[] = [];
  records.forEach((record, index) => {
    try {
      if (isBlank(record.key)) throw new SinkProblem('record has no key');
      planned.push({ index, plan: plan(ctx, specs, record) });
    } catch (err) {
      results.set(index, { key: record.key, outcome: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
  });
  for (let i = 0; i < planned.length; i += CHUNK) {
    const chunk = planned.slice(i, i + CHUNK);
    try {
      const out = await upsertChunk(ctx, table, chunk.map((c) => c.plan));
      chunk.forEach((c, j) => results.set(c.index, out[j]!));
    } catch {
      // Find which records the table refuses: each alone in its own transaction.
      for (const c of chunk) {
        try {
          const [one] = await upsertChunk(ctx, table, [c.plan]);
          results.set(c.index, one!);
        } catch (err) {
          results.set(c.index, {
            key: c.plan.record.key,
            outcome: 'failed',
            message: `${table}, key ${c.plan.record.key}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
          });
        }
      }
    }
  }
  return records.map((_, i) => results.get(i)!);
}
