/**
 * What `ferry pim check` and the Console's PIM Test both run: authenticate, detect the version,
 * edition and endpoint mode, and count the catalog (channels, locales, currencies, families,
 * attributes). The CLI prints it, the Console words it; neither owns it, so it lives here.
 */
import { createAkeneoClientFromConfig, type AkeneoClient } from '../akeneo/index.js';
import type { PimConfig } from '../akeneo/config.js';

export interface PimCheckReport {
  url: string;
  version: string;
  edition: string;
  endpointMode: 'uuid' | 'identifier';
  auth: 'connection' | 'app';
  rateBudget: { concurrency: number; requestsPerSecond: number; optionWritesPerSecond: number; maxRetries: number };
  counts: { channels: number; locales: number; activeLocales: number; currencies: number; activeCurrencies: number; families: number; attributes: number };
  /** Codes of the enabled locales and currencies: what the mapping's locales and prices must use. */
  activeLocaleCodes: string[];
  activeCurrencyCodes: string[];
  requests: number;
  durationMs: number;
}

async function countAll(iterable: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of iterable) n++;
  return n;
}

async function countLarge(client: AkeneoClient, route: string, fallback: () => AsyncIterable<unknown>): Promise<number> {
  // with_count answers in one call on big catalogs; a PIM that omits items_count gets counted by listing.
  const n = await client.count(route);
  return n ?? countAll(fallback());
}

export async function runPimCheck(pim: PimConfig): Promise<PimCheckReport> {
  const started = performance.now();
  const client = createAkeneoClientFromConfig(pim);
  try {
    const info = await client.detect();
    const [channels, locales, currencies, families, attributes] = await Promise.all([
      countAll(client.channels.list()),
      (async () => {
        let all = 0;
        const active: string[] = [];
        for await (const l of client.locales.list()) {
          all++;
          if (l.enabled) active.push(l.code);
        }
        return { all, active };
      })(),
      (async () => {
        let all = 0;
        const active: string[] = [];
        for await (const c of client.currencies.list()) {
          all++;
          if (c.enabled) active.push(c.code);
        }
        return { all, active };
      })(),
      countLarge(client, '/api/rest/v1/families', () => client.families.list()),
      countLarge(client, '/api/rest/v1/attributes', () => client.attributes.list()),
    ]);
    const limits = client.limits();
    return {
      url: pim.url,
      version: info.version,
      edition: info.edition,
      endpointMode: info.endpointMode,
      auth: 'token' in pim ? 'app' : 'connection',
      rateBudget: {
        concurrency: limits.concurrency,
        requestsPerSecond: limits.requestsPerSecond,
        optionWritesPerSecond: limits.optionWritesPerSecond,
        maxRetries: limits.maxRetries,
      },
      counts: {
        channels,
        locales: locales.all,
        activeLocales: locales.active.length,
        currencies: currencies.all,
        activeCurrencies: currencies.active.length,
        families,
        attributes,
      },
      activeLocaleCodes: locales.active.sort(),
      activeCurrencyCodes: currencies.active.sort(),
      requests: client.stats().total,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await client.close();
  }
}
