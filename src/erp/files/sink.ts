/**
 * ErpSink for files: each run writes one export file per stream into out/
 * (`items-20240501T100000Z.csv` or `.ndjson`), in the same column conventions the
 * reader understands, so the ERP's import (or Ferry itself) can read it back.
 *
 * Every upsert batch is appended and flushed to a hidden `.partial` file before its
 * results are returned; close() turns the partials into the final files atomically
 * (a key written twice in a run keeps its last version). A crashed run leaves only
 * the hidden partial, which check() reports.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ErpRecord, FieldValue, SinkResult, StreamName } from '../port.js';
import type { FieldSpec } from './config.js';
import type { StreamPlan } from './plan.js';

/** ndjson keeps whole records; the others hold the flat columns of the stream's field map (csv's). */
export type SinkFormat = 'csv' | 'ndjson' | 'json' | 'xml' | 'xlsx';

interface Partial {
  path: string;
  handle: FileHandle;
  keys: Set<string>;
  lines: number;
}

function stampOf(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function csvCell(v: string, delimiter: string): string {
  if (v === '') return '';
  if (v.includes(delimiter) || v.includes('"') || v.includes('\n') || v.includes('\r') || v.trim() !== v) return `"${v.replace(/"/g, '""')}"`;
  return v;
}

/** One record → its columns, by the stream's field map (or the conventions name_<lang>, weight_unit, price_currency). */
export function flattenRecord(record: ErpRecord, plan: StreamPlan | undefined): Record<string, string> {
  const row: Record<string, string> = {};
  row[plan?.key ?? 'key'] = record.key;
  row[plan?.updatedAt ?? 'updated_at'] = record.updatedAt ?? '';
  if (record.group !== undefined) row[plan?.group ?? 'group'] = record.group ?? '';
  if (record.parent !== undefined) row[plan?.parent ?? 'parent'] = record.parent ?? '';
  if (record.categories !== undefined) row[plan?.categories ?? 'categories'] = record.categories.join(plan?.categoriesSeparator ?? '|');
  if (record.active !== undefined) {
    const meaning = plan?.active?.meaning ?? 'active';
    const flag = meaning === 'active' ? record.active : !record.active;
    row[plan?.active?.column ?? 'active'] = flag ? '1' : '0';
  }
  const specs = new Map(plan?.fields ?? []);
  for (const [field, value] of Object.entries(record.fields)) {
    const spec = specs.get(field);
    const col = spec?.column ?? field;
    flattenValue(row, field, col, value, spec);
  }
  return row;
}

function flattenValue(row: Record<string, string>, field: string, col: string, v: FieldValue, spec: FieldSpec | undefined): void {
  if (v === null || v === undefined) {
    row[col] = '';
    return;
  }
  if (Array.isArray(v)) {
    row[col] = v.map((x) => (x === null ? '' : typeof x === 'object' ? JSON.stringify(x) : String(x))).join(spec?.separator ?? '|');
    return;
  }
  if (typeof v === 'boolean') {
    row[col] = v ? '1' : '0';
    return;
  }
  if (typeof v !== 'object') {
    row[col] = String(v);
    return;
  }
  switch (v.kind) {
    case 'localized':
      for (const [lang, text] of Object.entries(v.values)) row[spec?.columns?.[lang] ?? `${col}_${lang}`] = text;
      return;
    case 'quantity':
      row[col] = v.amount;
      row[spec?.unitColumn ?? `${col}_unit`] = v.unit;
      return;
    case 'money':
      row[col] = v.amount;
      row[spec?.currencyColumn ?? `${col}_currency`] = v.currency;
      return;
    case 'decimal':
      row[col] = v.value;
      return;
    default:
      throw new Error(`field ${field}: unsupported value ${JSON.stringify(v).slice(0, 60)}`);
  }
}

function validate(record: ErpRecord): string | null {
  if (typeof record?.key !== 'string' || record.key.trim() === '') return 'the record has no key';
  if (record.fields === null || typeof record.fields !== 'object') return 'the record has no fields object';
  return null;
}

export class FilesSink {
  private partials = new Map<StreamName, Partial>();
  private readonly stamp: string;

  constructor(
    private readonly outDir: string,
    private readonly format: SinkFormat,
    private readonly plans: ReadonlyMap<StreamName, StreamPlan>,
    private readonly delimiter: string,
    now = new Date(),
  ) {
    this.stamp = stampOf(now);
  }

  private finalName(stream: StreamName): string {
    return `${stream}-${this.stamp}.${this.format}`;
  }

  /** Two runs in the same second must not overwrite each other's export. */
  private async freeTarget(stream: StreamName): Promise<string> {
    const base = this.finalName(stream);
    for (let i = 1; ; i++) {
      const name = i === 1 ? base : base.replace(/(\.[a-z]+)$/, `-${i}$1`);
      const path = join(this.outDir, name);
      try {
        await access(path);
      } catch {
        return path;
      }
    }
  }

  async upsert(stream: StreamName, records: ErpRecord[]): Promise<SinkResult[]> {
    let p = this.partials.get(stream);
    if (!p) {
      await mkdir(this.outDir, { recursive: true });
      const path = join(this.outDir, `.${this.finalName(stream)}.${process.pid}-${randomBytes(3).toString('hex')}.partial`);
      p = { path, handle: await open(path, 'a'), keys: new Set(), lines: 0 };
      this.partials.set(stream, p);
    }
    const plan = this.plans.get(stream);
    const results: SinkResult[] = [];
    let chunk = '';
    for (const r of records) {
      const problem = validate(r);
      const key = typeof r?.key === 'string' ? r.key : String(r?.key ?? '');
      if (problem) {
        results.push({ key, outcome: 'failed', message: problem });
        continue;
      }
      let line: string;
      try {
        line = JSON.stringify(this.format !== 'ndjson' ? flattenRecord(r, plan) : { ...r, stream });
      } catch (e) {
        results.push({ key, outcome: 'failed', message: `key ${key}: ${(e as Error).message}` });
        continue;
      }
      chunk += `${line}\n`;
      results.push({ key, outcome: p.keys.has(key) ? 'updated' : 'created' });
      p.keys.add(key);
      p.lines++;
    }
    if (chunk) {
      await p.handle.appendFile(chunk, 'utf8');
      await p.handle.datasync();
    }
    return results;
  }

  /** Turns the partial files into the run's export files. Returns their paths. */
  async finish(): Promise<string[]> {
    const written: string[] = [];
    for (const [stream, p] of this.partials) {
      await p.handle.close();
      const target = await this.freeTarget(stream);
      const tmp = `${target}.tmp-${process.pid}`;
      // Pass 1: the last line of each key, and (CSV) the union of columns in first-seen order.
      const last = new Map<string, number>();
      const columns = new Map<string, true>();
      const keyCol = this.format === 'csv' ? (this.plans.get(stream)?.key ?? 'key') : 'key';
      let n = 0;
      for await (const line of createInterface({ input: createReadStream(p.path, 'utf8'), crlfDelay: Infinity })) {
        if (!line) continue;
        const o = JSON.parse(line) as Record<string, unknown>;
        last.set(String(o[keyCol]), n++);
        if (this.format === 'csv') for (const k of Object.keys(o)) columns.set(k, true);
      }
      const flat = this.format !== 'ndjson';
      const keyColumn = flat ? (this.plans.get(stream)?.key ?? 'key') : 'key';
      if (flat && this.format !== 'csv') {
        // Pass 1 again with the flat key column (csv's was computed above).
        last.clear();
        n = 0;
        for await (const line of createInterface({ input: createReadStream(p.path, 'utf8'), crlfDelay: Infinity })) {
          if (!line) continue;
          const o = JSON.parse(line) as Record<string, unknown>;
          last.set(String(o[keyColumn]), n++);
          for (const k of Object.keys(o)) columns.set(k, true);
        }
      }
      const cols = [...columns.keys()];
      const kept = async function* (path: string): AsyncIterable<{ line: string; row: Record<string, unknown> }> {
        let i = 0;
        for await (const line of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
          if (!line) continue;
          const row = JSON.parse(line) as Record<string, unknown>;
          if (last.get(String(row[keyColumn])) !== i++) continue;
          yield { line, row };
        }
      };
      if (this.format === 'xlsx') await writeXlsx(tmp, stream, cols, kept(p.path));
      else {
        const out = await open(tmp, 'w');
        try {
          let buf = this.format === 'csv' ? `${cols.map((c) => csvCell(c, this.delimiter)).join(this.delimiter)}\n` : this.format === 'json' ? '[' : this.format === 'xml' ? '<?xml version="1.0" encoding="UTF-8"?>\n<records>\n' : '';
          let first = true;
          for await (const { line, row } of kept(p.path)) {
            if (this.format === 'csv') buf += `${cols.map((c) => csvCell(String(row[c] ?? ''), this.delimiter)).join(this.delimiter)}\n`;
            else if (this.format === 'json') buf += `${first ? '\n' : ',\n'}${line}`;
            else if (this.format === 'xml') buf += `  <record>${cols.map((c) => `<${xmlName(c)}>${xmlText(String(row[c] ?? ''))}</${xmlName(c)}>`).join('')}</record>\n`;
            else buf += `${line}\n`;
            first = false;
            if (buf.length > 1 << 20) {
              await out.write(buf);
              buf = '';
            }
          }
          if (this.format === 'json') buf += '\n]\n';
          if (this.format === 'xml') buf += '</records>\n';
          if (buf) await out.write(buf);
          await out.sync();
        } finally {
          await out.close();
        }
      }
      await rename(tmp, target);
      await unlink(p.path);
      written.push(target);
    }
    this.partials.clear();
    return written;
  }
}

/** A column name as an XML element name (letters, digits, `_`, `-`, `.`; not starting with a digit). */
function xmlName(column: string): string {
  const name = column.replace(/[^A-Za-z0-9_.-]/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One sheet named after the stream: a header row, then one row per record (all cells text, so decimals stay exact). */
async function writeXlsx(path: string, stream: string, cols: string[], rows: AsyncIterable<{ row: Record<string, unknown> }>): Promise<void> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet(stream);
  sheet.addRow(cols).commit();
  for await (const { row } of rows) sheet.addRow(cols.map((c) => String(row[c] ?? ''))).commit();
  sheet.commit();
  await workbook.commit();
}
