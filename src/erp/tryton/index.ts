/**
 * Tryton 6.0 adapter: product.template → groups, product.product → items, product.category →
 * categories, product.attribute → attributes, over JSON-RPC. See docs/erp-tryton.md.
 */
import type { Logger } from '../../logging.js';
import { ErpError, STREAM_NAMES, type CheckResult, type ErpRecord, type ErpSink, type ErpSource, type NumberedProduct, type NumberedResult, type ReadOptions, type SinkResult, type StreamDescription, type StreamName } from '../port.js';
import { trytonConfigSchema, type TrytonConfig, type TrytonConfigInput } from './config.js';
import { describeTryton } from './describe.js';
import { reportingFuzzy } from './fuzzy-report.js';
import { readGroups, readItems } from './items.js';
import { TrytonConnection } from './session.js';
import { TrytonSink } from './sink.js';
import { readAttributes, readCategories } from './structure.js';
import { FuzzyTally, TranslationReader, type Translations } from './translations.js';

export type { TrytonConfig } from './config.js';
export type { RpcStats } from './rpc.js';
import type { RpcStats } from './rpc.js';

export interface TrytonSourceOptions {
  /** The mapping declares a reference price: read list_price even if erp.referencePrice is off. */
  referencePrice?: boolean;
  /** Warnings of a read (translations served from fuzzy rows) go here. */
  logger?: Logger;
}

export interface TrytonSource extends ErpSource, ErpSink {
  readonly kind: 'tryton';
  /** RPC counters: calls, logins, time spent waiting on Tryton (benchmarks). */
  rpcStats(): RpcStats;
  /** The underlying connection (tests simulate session expiry through it). */
  readonly connection: TrytonConnection;
}

type StreamReader = (conn: TrytonConnection, translations: Translations, options: ReadOptions) => AsyncIterable<ErpRecord>;
const READERS: Record<StreamName, StreamReader> = { items: readItems, groups: readGroups, categories: readCategories, attributes: readAttributes };

export function createTrytonSource(config: TrytonConfig | TrytonConfigInput, opts: TrytonSourceOptions = {}): TrytonSource {
  const parsed = trytonConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ErpError(`erp.${issue.path.join('.')}: ${issue.message}`, 'config');
  }
  const effective: TrytonConfig = { ...parsed.data, referencePrice: parsed.data.referencePrice || opts.referencePrice === true };
  const conn = new TrytonConnection(effective);
  const translations = new TranslationReader(conn);
  // The sink compares what the PIM sends with what Tryton really serves: a fuzzy translation
  // is not there, so sending the same text again writes it (and Tryton clears the fuzzy flag).
  const servedTranslations = new TranslationReader(conn, 'drop');
  const sink = new TrytonSink(conn, async (stream, keys) => {
    const out = new Map<string, ErpRecord>();
    const reader = stream === 'groups' ? readGroups : readItems;
    for await (const record of reader(conn, servedTranslations, { keys })) out.set(record.key, record);
    return out;
  });

  return {
    kind: 'tryton',
    describesOptionLabels: true,
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
        fuzzyTranslations: effective.fuzzyTranslations,
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
        await translations.settle('product.template', [{ field: 'name', id: 0, lang: effective.sourceLanguage }]);
        details.translationDetection = translations.usesComparisonFallback
          ? 'comparison with the source text (ir.translation is not readable by this user)'
          : 'ir.translation rows';
        if (!translations.usesComparisonFallback) details.fuzzyTranslationRows = await translations.countFuzzy();
        return { ok: true, system: `Tryton ${session.serverVersion}`, details, counts: { items, groups, categories, attributes }, problems: [] };
      } catch (error) {
        return { ok: false, system: 'Tryton', details, counts: {}, problems: [(error as Error).message] };
      }
    },

    describe(): Promise<StreamDescription[]> {
      return describeTryton(conn, translations);
    },

    read(stream: StreamName, options: ReadOptions = {}): AsyncIterable<ErpRecord> {
      const reader = Object.hasOwn(READERS, stream) ? READERS[stream] : undefined;
      if (!reader) {
        throw new ErpError(`The Tryton adapter has no stream "${String(stream)}"; streams: ${STREAM_NAMES.join(', ')}.`, 'config');
      }
      const tally = new FuzzyTally();
      return reportingFuzzy(stream, tally, reader(conn, translations.forRead(tally), options), effective.sourceLanguage, opts.logger);
    },

    upsert(stream: StreamName, records: ErpRecord[]): Promise<SinkResult[]> {
      return sink.upsert(stream, records);
    },

    createNumbered(products: NumberedProduct[]): Promise<NumberedResult[]> {
      return sink.createNumbered(products);
    },

    close(): Promise<void> {
      return conn.close();
    },
  };
}
