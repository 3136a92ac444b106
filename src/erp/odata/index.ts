/**
 * OData adapter (v2 and v4): SAP S/4HANA API_PRODUCT_SRV (`profile: s4`), Business Central API
 * v2.0 (`profile: bc`, one company; bc.ts) or any service whose entity sets the config names
 * (`profile: generic`). See docs/erp-odata.md.
 */
import type { Logger } from '../../logging.js';
import { laterOf, RecordProblem, RejectCollector } from '../common/index.js';
import { ErpError, type CheckResult, type ErpRecord, type ErpSink, type ErpSource, type ReadOptions, type SinkResult, type StreamDescription, type StreamName } from '../port.js';
import { odataConfigSchema, type OdataConfig, type OdataConfigInput } from './config.js';
import type { HttpStats } from './http.js';
import { safeUrl } from './http.js';
import { bcCompanyScope, readBcGroups, readBcItems, type BcReadContext } from './bc.js';
import { resolveStreams, type ResolvedStream } from './profiles.js';
import { describeFields, keysOnlyPlan, planStream, queryFor, rawRow, readFilter, toRecord, type StreamPlan } from './reader.js';
import { OdataService } from './service.js';
import { chunks } from '../../util/chunks.js';
import { createOdataWriter } from './sink.js';

export type { OdataConfig } from './config.js';

export interface OdataSourceOptions {
  logger?: Logger;
}

/** Reads (ErpSource) and, with profiles s4 and bc, writes items and groups (ErpSink; sink.ts). */
export interface OdataSource extends ErpSource, ErpSink {
  readonly kind: 'odata';
  /** Requests, retries, time spent waiting on the server (benchmarks, tests). */
  httpStats(): HttpStats;
}

/** Keys per `$filter=Key eq … or …` request: short enough for any server's URL limit. */
const KEYS_PER_REQUEST = 40;

export function createOdataSource(config: OdataConfig | OdataConfigInput, opts: OdataSourceOptions = {}): OdataSource {
  const parsed = odataConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ErpError(`erp.${issue.path.join('.')}: ${issue.message}`, 'config');
  }
  const cfg = parsed.data;
  const service = new OdataService(cfg);
  const defs = resolveStreams(cfg);
  const languages = cfg.languages ? new Set(cfg.languages.map((l) => l.toLowerCase())) : null;
  const plans = new Map<StreamName, StreamPlan>();
  let scoped: Promise<void> | null = null;

  /** Business Central: every entity set hangs under the configured company. */
  function scope(): Promise<void> {
    if (cfg.profile !== 'bc') return Promise.resolve();
    scoped ??= bcCompanyScope(service, cfg.company).then(
      (s) => service.setScope(s),
      (error: unknown) => {
        scoped = null;
        throw error;
      },
    );
    return scoped;
  }

  async function plan(def: ResolvedStream): Promise<StreamPlan> {
    await scope();
    let p = plans.get(def.stream);
    if (!p) {
      p = planStream(def, await service.metadata(), safeUrl(service.root));
      if (p.dropped.length) opts.logger?.warn({ stream: def.stream, dropped: p.dropped }, 'odata: the service lacks properties the profile reads; those fields are left out');
      plans.set(def.stream, p);
    }
    return p;
  }

  function definition(stream: StreamName): ResolvedStream {
    const def = defs.find((d) => d.stream === stream);
    if (!def) throw new ErpError(`The OData source (profile ${cfg.profile}) has no stream "${String(stream)}"; streams: ${defs.map((d) => d.stream).join(', ')}.`, 'config');
    return def;
  }

  /** Rows of a stream matching the read, deduplicated by key (a page boundary can shift under concurrent writes). */
  async function* rows(p: StreamPlan, options: ReadOptions, keys: string[] | undefined, seen: Set<string> | null, rejects: RejectCollector, groups?: string[]): AsyncGenerator<ErpRecord> {
    const model = await service.metadata();
    const version = await service.version();
    const filter = readFilter(p, options, cfg.deltaMarginSeconds, keys, groups);
    for await (const page of service.pages(p.def.entitySet, queryFor(p, version, filter), options.signal)) {
      for (const row of page.rows) {
        let record: ErpRecord;
        try {
          record = toRecord(row, { plan: p, model, languages });
        } catch (error) {
          if (!(error instanceof RecordProblem)) throw error;
          const key = row[p.def.key] === undefined || row[p.def.key] === null ? undefined : String(row[p.def.key]);
          rejects.reject({
            location: `${p.def.entitySet}${key !== undefined ? `('${key}')` : ''}${error.field ? `, field ${error.field}` : ''}`,
            ...(key !== undefined ? { key } : {}),
            ...(error.field ? { field: error.field } : {}),
            raw: rawRow(row),
            message: error.message,
          });
          continue;
        }
        if (seen?.has(record.key)) continue;
        seen?.add(record.key);
        yield record;
      }
    }
  }

  async function* read(stream: StreamName, options: ReadOptions): AsyncGenerator<ErpRecord> {
    const def = definition(stream);
    // A keys-only read selects no field and expands no translation.
    const shaped = (sp: StreamPlan) => (options.fields === 'none' ? keysOnlyPlan(sp) : sp);
    const p = shaped(await plan(def));
    const rejects = new RejectCollector(stream, options.onReject);
    const seen = new Set<string>();
    let count = 0;
    const limited = (): boolean => options.limit !== undefined && count >= options.limit;
    if (options.keys && options.keys.length === 0) return;
    if (cfg.profile === 'bc' && (stream === 'items' || stream === 'groups')) {
      const groupsDef = definition('groups');
      const ctx: BcReadContext = {
        service,
        model: await service.metadata(),
        itemPlan: stream === 'items' ? p : shaped(await plan(definition('items'))),
        groupPlan: stream === 'groups' ? p : shaped(await plan(groupsDef)),
        marginSeconds: cfg.deltaMarginSeconds,
        rows,
        rejects,
        keysOnly: options.fields === 'none',
      };
      for await (const record of stream === 'items' ? readBcItems(ctx, options) : readBcGroups(ctx, options)) {
        yield record;
        count++;
        if (limited()) return;
      }
      return;
    }
    const keyChunks = options.keys ? chunks(options.keys, KEYS_PER_REQUEST) : [undefined];
    for (const keys of keyChunks) {
      for await (const record of rows(p, options, keys, seen, rejects)) {
        yield record;
        count++;
        if (limited()) return;
      }
    }
    // A changed group (S/4 configurable material) counts as a change to its items: read the items
    // of every group changed in the window, stamped with the later of both dates. (bc: bc.ts.)
    const groupsDef = defs.find((d) => d.stream === 'groups');
    if (stream !== 'items' || options.since === undefined || !def.group || !groupsDef?.changeField || options.keys) return;
    const gp = await plan(groupsDef);
    const changedGroups = new Map<string, string | null>();
    for await (const g of rows(gp, { since: options.since, ...(options.signal ? { signal: options.signal } : {}) }, undefined, new Set(), new RejectCollector('groups'))) {
      changedGroups.set(g.key, g.updatedAt);
    }
    const groupKeys = [...changedGroups.keys()];
    for (const groupChunk of chunks(groupKeys, KEYS_PER_REQUEST)) {
      const byGroup: ReadOptions = { ...(options.signal ? { signal: options.signal } : {}) };
      for await (const record of rows(p, byGroup, undefined, seen, rejects, groupChunk)) {
        record.updatedAt = laterOf(record.updatedAt, changedGroups.get(record.group ?? '') ?? null);
        yield record;
        count++;
        if (limited()) return;
      }
    }
  }

  const write = createOdataWriter({
    cfg,
    service,
    model: () => service.metadata(),
    version: () => service.version(),
    plan: (stream) => plan(definition(stream)),
  });

  return {
    kind: 'odata',
    streams: defs.map((d) => d.stream),
    httpStats: () => ({ ...service.http.stats }),

    async check(): Promise<CheckResult> {
      const details: CheckResult['details'] = { url: safeUrl(service.root), profile: cfg.profile, auth: service.http.principal() };
      try {
        const model = await service.metadata();
        details.version = `OData v${await service.version()}`;
        const counts: CheckResult['counts'] = {};
        for (const def of defs) {
          const p = await plan(def);
          if (p.dropped.length) details[`${def.stream}.notOffered`] = p.dropped.join(', ');
          // bc: items and groups share BC items; which is which takes reading every variant.
          counts[def.stream] = cfg.profile === 'bc' && def.stream !== 'categories' ? null : await service.count(def.entitySet, { filter: readFilter(p, {}, 0) });
        }
        details.entitySets = model.entitySets.size;
        if (cfg.profile === 'bc') {
          details.company = cfg.company ?? '(the only one)';
          details.bcItems = await service.count('items', {});
          details.bcItemVariants = await service.count('itemVariants', {});
        }
        return { ok: true, system: `OData v${model.version} service ${safeUrl(service.root)}`, details, counts, problems: [] };
      } catch (error) {
        return { ok: false, system: 'OData', details, counts: {}, problems: [(error as Error).message] };
      }
    },

    async describe(): Promise<StreamDescription[]> {
      const out: StreamDescription[] = [];
      for (const def of defs) {
        const p = await plan(def);
        const fields = describeFields(p);
        if (cfg.profile === 'bc' && def.stream === 'items') {
          fields.push({ name: 'variant', type: 'string', label: 'Item variant code' }, { name: 'variant_description', type: 'string', label: 'Item variant description', nullable: true });
        }
        out.push({
          stream: def.stream,
          fields,
          supportsDelta: def.changeField !== undefined,
          ...(def.changeField
            ? { deltaStrategy: `${def.entitySet}.${def.changeField} ge since − ${cfg.deltaMarginSeconds} s (inclusive, deduplicated by key)${def.group && defs.some((d) => d.stream === 'groups') ? '; items of a changed group are read too' : ''}` }
            : {}),
        });
      }
      return out;
    },

    read(stream: StreamName, options: ReadOptions = {}): AsyncIterable<ErpRecord> {
      definition(stream);
      return read(stream, options);
    },

    upsert(stream: StreamName, records: ErpRecord[]): Promise<SinkResult[]> {
      return write(stream, records);
    },

    close(): Promise<void> {
      return service.close();
    },
  };
}

