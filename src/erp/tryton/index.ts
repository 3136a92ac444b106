/**
 * Tryton 6.0 adapter: product.template → groups, product.product → items, product.category →
 * categories, product.attribute → attributes, over JSON-RPC. See docs/erp-tryton.md.
 */
import { ErpError, STREAM_NAMES, type CheckResult, type ErpRecord, type ErpSink, type ErpSource, type ReadOptions, type SinkResult, type StreamDescription, type StreamName } from '../port.js';
import { trytonConfigSchema, type TrytonConfig, type TrytonConfigInput } from './config.js';
import { describeTryton } from './describe.js';
import { readGroups, readItems } from './items.js';
import { TrytonConnection } from './session.js';
import { TrytonSink } from './sink.js';
import { readAttributes, readCategories } from './structure.js';
import { TranslationReader } from './translations.js';

export { trytonConfigSchema, type TrytonConfig } from './config.js';
export { TrytonRpc, TrytonRpcError, describeError, type RpcStats } from './rpc.js';
import type { RpcStats } from './rpc.js';

export interface TrytonSourceOptions {
  /** The mapping declares a reference price: read list_price even if erp.referencePrice is off. */
  referencePrice?: boolean;
}

export interface TrytonSource extends ErpSource, ErpSink {
  readonly kind: 'tryton';
  /** RPC counters: calls, logins, time spent waiting on Tryton (benchmarks). */
  rpcStats(): RpcStats;
  /** The underlying connection (tests simulate session expiry through it). */
  readonly connection: TrytonConnection;
}

export function createTrytonSource(config: TrytonConfig | TrytonConfigInput, opts: TrytonSourceOptions = {}): TrytonSource {
  const parsed = trytonConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ErpError(`erp.${issue.path.join('.')}: ${issue.message}`, 'config');
  }
  const effective: TrytonConfig = { ...parsed.data, referencePrice: parsed.data.referencePrice || opts.referencePrice === true };
  const conn = new TrytonConnection(effective);
  const translations = new TranslationReader(conn);
  const sink = new TrytonSink(conn, async (stream, keys) => {
    const out = new Map<string, ErpRecord>();
    const reader = stream === 'groups' ? readGroups : readItems;
    for await (const record of reader(conn, translations, { keys })) out.set(record.key, record);
    return out;
  });

  return {
    kind: 'tryton',
    streams: STREAM_NAMES,
    connection: conn,
    rpcStats: () => ({ ...conn.rpc.stats, byMethod: structuredClone(conn.rpc.stats.byMethod) }),

    async check(): Promise<CheckResult> {
      const details: CheckResult['details'] = {
        url: effective.url,
        database: effective.database,
        user: effective.username,
        languages: effective.languages.join(', '),
        sourceLanguage: effective.sourceLanguage,
        referencePrice: effective.referencePrice,
      };
      try {
        const session = await conn.session();
        details.company = session.companyId;
        details.currency = session.currency;
        const count = async (model: string): Promise<number> =>
          Number(await conn.model(model, 'search_count', [[]], { active_test: false }));
        const [items, groups, categories, attributes] = await Promise.all([
          count('product.product'),
          count('product.template'),
          count('product.category'),
          count('product.attribute'),
        ]);
        // Probe translation detection once, so check() says which method is in use.
        await translations.confirm('product.template', [{ field: 'name', id: 0, lang: effective.sourceLanguage }]);
        details.translationDetection = translations.usesComparisonFallback
          ? 'comparison with the source text (ir.translation is not readable by this user)'
          : 'ir.translation rows';
        return { ok: true, system: `Tryton ${session.serverVersion}`, details, counts: { items, groups, categories, attributes }, problems: [] };
      } catch (error) {
        return { ok: false, system: 'Tryton', details, counts: {}, problems: [(error as Error).message] };
      }
    },

    describe(): Promise<StreamDescription[]> {
      return describeTryton(conn);
    },

    read(stream: StreamName, options: ReadOptions = {}): AsyncIterable<ErpRecord> {
      switch (stream) {
        case 'items':
          return readItems(conn, translations, options);
        case 'groups':
          return readGroups(conn, translations, options);
        case 'categories':
          return readCategories(conn, translations, options);
        case 'attributes':
          return readAttributes(conn, translations, options);
        default:
          throw new ErpError(`The Tryton adapter has no stream "${String(stream)}"; streams: ${STREAM_NAMES.join(', ')}.`, 'config');
      }
    },

    upsert(stream: StreamName, records: ErpRecord[]): Promise<SinkResult[]> {
      return sink.upsert(stream, records);
    },

    close(): Promise<void> {
      return conn.close();
    },
  };
}
