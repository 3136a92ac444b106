/**
 * Telling the ERP team, once per read, which translations Ferry served from fuzzy rows: they
 * are the translations of a source text that has since been edited, and need re-translating
 * in Tryton. The PIM keeps showing the previous translation until then.
 */
import type { Logger } from '../../logging.js';
import type { ErpRecord, StreamName } from '../port.js';
import type { FuzzyTally } from './translations.js';

export function fuzzyMessage(stream: StreamName, tally: FuzzyTally, sourceLanguage: string): string {
  const perLanguage = [...tally.byLanguage].map(([lang, n]) => `${lang} ${n}`).join(', ');
  const more = tally.count - tally.examples.length;
  return (
    `Tryton ${stream}: ${tally.count} translation${tally.count === 1 ? ' is' : 's are'} fuzzy (${perLanguage}): ` +
    `the "${sourceLanguage}" text was edited after they were translated, so Ferry kept their previous text ` +
    `(erp.fuzzyTranslations: keep). Re-translate in Tryton: ${tally.examples.join(', ')}${more > 0 ? ` and ${more} more` : ''}.`
  );
}

/** Runs one read, then warns (when a logger is given) about the values it served from fuzzy rows. */
export async function* reportingFuzzy(
  stream: StreamName,
  tally: FuzzyTally,
  records: AsyncIterable<ErpRecord>,
  sourceLanguage: string,
  logger: Logger | undefined,
): AsyncGenerator<ErpRecord> {
  try {
    yield* records;
  } finally {
    // Also when the consumer stops early (limit, abort): what was served so far is reported.
    if (tally.count > 0) {
      logger?.warn(
        { stream, fuzzyTranslations: tally.count, byLanguage: Object.fromEntries(tally.byLanguage), examples: tally.examples },
        fuzzyMessage(stream, tally, sourceLanguage),
      );
    }
  }
}
