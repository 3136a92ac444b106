/**
 * The SQL adapter: PostgreSQL, MySQL/MariaDB, SQL Server and SQLite through knex. Each
 * configured stream is a table, view or query; reads stream through a cursor, writes upsert.
 */
import type { Knex } from 'knex';
import type { Logger } from '../../logging.js';
import { ErpError, type CheckResult, type ErpRecord, type ErpSink, type ErpSource, type FieldDescription, type ReadOptions, type SinkResult, type StreamDescription, type StreamName } from '../port.js';
import { sqlConfigSchema, type SqlConfig, type SqlConfigInput, type SqlStreamConfig } from './config.js';
import { createKnex, describeEndpoint, VERSION_QUERIES, whereText, type Endpoint } from './dialect.js';
import { translateError } from './errors.js';
import { convertField, describeField, fieldSpecs, type FieldSpec } from './fields.js';
import { baseTable, buildSelect, readStream, sourceName, type StreamContext } from './read.js';
import { upsertRecords } from './sink.js';

export type { SqlConfig, SqlConfigInput } from './config.js';

export interface SqlSourceOptions {
  logger?: Logger;
  /** Shown by check() instead of the database name (the demo ERP calls itself "demo ERP"). */
  label?: string;
}

export type SqlSource = ErpSource & ErpSink & { readonly endpoint: Endpoint };

const STREAM_ORDER: StreamName[] = ['categories', 'attributes', 'groups', 'items'];
/** More distinct values than this in a select column: an open list, whose options the items create. */
const MAX_DECLARED_OPTIONS = 1000;

export function deltaStrategyText(stream: SqlStreamConfig, marginSeconds: number): string | undefined {
  if (!stream.updatedAt && !stream.groupChanges) return undefined;
  return (
    `rows with ${stream.updatedAt ?? '(group) updated-at'} >= since − ${marginSeconds}s (inclusive, so ties at the watermark are re-read)` +
    (stream.groupChanges ? `, plus every row whose group in ${stream.groupChanges.table} changed in that window` : '')
  );
}

export function createSqlSource(input: SqlConfig | SqlConfigInput, opts: SqlSourceOptions = {}): SqlSource {
  const parsed = sqlConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new ErpError(`invalid SQL ERP configuration: ${parsed.error.issues.map((i) => `erp.${i.path.join('.')}: ${i.message}`).join('; ')}`, 'config');
  }
  const config = parsed.data;
  const endpoint = describeEndpoint(config);
  const streams = STREAM_ORDER.filter((s) => config.streams[s] !== undefined);
  let knex: Knex | undefined;
  const db = (): Knex => (knex ??= createKnex(config, opts.logger));

  function streamConfig(stream: StreamName): SqlStreamConfig {
    const cfg = config.streams[stream];
    if (!cfg) {
      throw new ErpError(`stream ${stream} is not configured; add erp.streams.${stream} (configured: ${streams.join(', ') || 'none'})`, 'config');
    }
    return cfg;
  }

  function context(stream: StreamName): StreamContext {
    return { knex: db(), client: config.client, name: stream, config: streamConfig(stream), batchSize: config.batchSize, deltaMarginSeconds: config.deltaMarginSeconds };
  }

  async function* read(stream: StreamName, options: ReadOptions = {}): AsyncGenerator<ErpRecord> {
    const ctx = context(stream);
    try {
      yield* readStream(ctx, options);
    } catch (err) {
      throw translateError(err, endpoint, `reading ${sourceName(ctx)} from ${whereText(endpoint)}`);
    }
  }

  async function check(): Promise<CheckResult> {
    const details: CheckResult['details'] = {
      client: config.client,
      ...(endpoint.file !== null ? { file: endpoint.file } : { host: endpoint.host, port: endpoint.port, user: endpoint.user, database: endpoint.database }),
      ...(opts.label ? { label: opts.label } : {}),
    };
    const counts: CheckResult['counts'] = {};
    const problems: string[] = [];
    let system = endpoint.system;
    try {
      const result = (await db().raw(VERSION_QUERIES[config.client])) as unknown;
      const version = firstValue(result);
      if (version) system = config.client === 'pg' || config.client === 'mssql' ? version.split(/ on |\n/)[0]!.trim() : `${endpoint.system} ${version}`;
    } catch (err) {
      return { ok: false, system, details, counts, problems: [translateError(err, endpoint).message] };
    }
    // MySQL/MariaDB grant to an account ('user'@'host pattern'); their "denied" message names the
    // client's host instead, so a GRANT the check suggests must name the account itself.
    const account = config.client === 'mysql2' ? await db().raw('select current_user()').then(firstValue, () => null) : null;
    if (streams.length === 0) problems.push('no streams configured; add erp.streams.items (table, key, fields) at least');
    for (const stream of streams) {
      const ctx = context(stream);
      try {
        // Selecting every configured column with LIMIT 0 proves they all exist, joins included.
        await buildSelect(ctx, fieldSpecs(ctx.config), { limit: 0 });
        const row = (await baseTable(ctx.knex, ctx.config).count({ n: '*' }).first()) as { n: unknown } | undefined;
        counts[stream] = row ? Number(row.n) : null;
      } catch (err) {
        counts[stream] = null;
        problems.push(`stream ${stream} (${sourceName(ctx)}): ${translateError(err, endpoint, undefined, account).message.split('\n')[0]}; check erp.streams.${stream}`);
      }
    }
    return { ok: problems.length === 0, system, details, counts, problems };
  }

  async function describe(): Promise<StreamDescription[]> {
    const out: StreamDescription[] = [];
    for (const stream of streams) {
      const ctx = context(stream);
      const fields: FieldDescription[] = [];
      for (const [name, spec] of fieldSpecs(ctx.config)) {
        const field = describeField(name, spec);
        try {
          if (spec.kind === 'quantity' && spec.unit) {
            const rows = (await baseTable(ctx.knex, ctx.config).distinct({ u: `t.${spec.unit}` }).whereNotNull(`t.${spec.unit}`).limit(50)) as { u: unknown }[];
            field.units = [...new Set(rows.map((r) => String(r.u).trim().toLowerCase()).filter((u) => u !== ''))].sort();
          } else if (spec.kind === 'localizedTable' && !spec.languages) {
            const q = ctx.knex.from(spec.table).distinct({ l: spec.language }).limit(100);
            if (spec.field) q.where(spec.field.column, spec.field.value);
            const rows = (await q) as { l: unknown }[];
            field.languages = [...new Set(rows.map((r) => String(r.l).trim()).filter((l) => l !== ''))].sort();
          } else if ((spec.kind === 'scalar' && spec.type === 'select') || spec.kind === 'multiselect') {
            const options = await declaredOptions(ctx, name, spec);
            if (options) field.options = options;
          }
        } catch (err) {
          throw translateError(err, endpoint, `describing stream ${stream}`);
        }
        fields.push(field);
      }
      const strategy = deltaStrategyText(ctx.config, config.deltaMarginSeconds);
      out.push({ stream, fields, supportsDelta: strategy !== undefined, ...(strategy ? { deltaStrategy: strategy } : {}) });
    }
    return out;
  }

  /**
   * A select column's values, as the ERP holds them (what a read gives: trimmed, split at a
   * multiselect's separator): the options bootstrap creates up front, 100 per request, instead of
   * the first items creating them a few at a time at Akeneo's 3 option writes/s. A column with
   * more than MAX_DECLARED_OPTIONS distinct values is no closed list: none are declared.
   */
  async function declaredOptions(ctx: StreamContext, name: string, spec: FieldSpec & { column: string }): Promise<string[] | undefined> {
    const rows = (await baseTable(ctx.knex, ctx.config)
      .distinct({ v: `t.${spec.column}` })
      .whereNotNull(`t.${spec.column}`)
      .limit(MAX_DECLARED_OPTIONS + 1)) as { v: unknown }[];
    if (rows.length > MAX_DECLARED_OPTIONS) return undefined;
    const values = new Set<string>();
    for (const { v } of rows) {
      let value: unknown;
      try {
        value = convertField(name, spec, { [spec.column]: v }, '', new Map());
      } catch {
        continue; // a value no read would give either (binary): the item that holds it is rejected.
      }
      for (const option of Array.isArray(value) ? value : [value]) if (typeof option === 'string' && option.trim() !== '') values.add(option);
    }
    return values.size > MAX_DECLARED_OPTIONS ? undefined : [...values].sort();
  }

  async function upsert(stream: StreamName, records: ErpRecord[]): Promise<SinkResult[]> {
    const cfg = streamConfig(stream);
    try {
      return await upsertRecords({ knex: db(), client: config.client, config: cfg, streamName: stream }, records);
    } catch (err) {
      throw translateError(err, endpoint, `writing stream ${stream}`);
    }
  }

  async function close(): Promise<void> {
    const k = knex;
    knex = undefined;
    await k?.destroy();
  }

  return { kind: 'sql', streams, endpoint, check, describe, read, upsert, close };
}

function firstValue(result: unknown): string | null {
  // pg: { rows: [...] }; mysql2: [rows, fields]; sqlite/mssql: rows.
  let rows: unknown = result;
  if (rows && typeof rows === 'object' && 'rows' in rows) rows = (rows as { rows: unknown }).rows;
  if (Array.isArray(rows) && Array.isArray(rows[0])) rows = rows[0];
  const first = Array.isArray(rows) ? (rows[0] as Record<string, unknown> | undefined) : undefined;
  const v = first ? Object.values(first)[0] : undefined;
  return v === undefined || v === null ? null : String(v);
}
