/**
 * `ferry pim …`: talk to the PIM. `ferry pim check` authenticates and prints what Ferry will
 * work with (version, edition, endpoint mode, rate budget, catalog counts). The `pim` group is
 * created here; other modules add subcommands to it (e.g. `bootstrap`, by the mapping module).
 */
import type { Command } from 'commander';
import { createAkeneoClientFromConfig, type AkeneoClient } from '../../akeneo/index.js';
import { pimConfigSchema, pimSecrets, type PimConfig } from '../../akeneo/config.js';
import { ConfigError } from '../../config/load.js';
import { connectionSection, sectionKey } from '../../config/deployment.js';
import { connectionFrom, printJson, UserError, withConfigOption, type ConfigOptions } from '../output.js';
import { scrubSecrets } from '../../logging.js';

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

/**
 * Reads only the `pim:` section, so `pim check` works before the ERP side is configured;
 * problems are still all reported at once, with their key paths.
 */
export async function loadPimSection(file: string | ConfigOptions, env: NodeJS.ProcessEnv = process.env): Promise<PimConfig> {
  const src = await connectionFrom(typeof file === 'string' ? { config: file } : file);
  if (src.raw.pim === undefined) throw new ConfigError(src.file, [{ path: sectionKey(src, 'pim'), message: 'missing; add the pim section (url, clientId, secret, username, password — or token)' }]);
  return connectionSection(src, 'pim', pimConfigSchema, env);
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

export function formatPimCheck(r: PimCheckReport): string {
  const rows: [string, string][] = [
    ['PIM', r.url],
    ['Version', `${r.version} (${r.edition})`],
    ['Auth', r.auth === 'app' ? 'App token' : 'Connection (password grant)'],
    ['Endpoints', r.endpointMode === 'uuid' ? 'uuid (/products-uuid)' : 'identifier (/products)'],
    ['Rate budget', `${r.rateBudget.concurrency} concurrent calls, ${r.rateBudget.requestsPerSecond} requests/s, ${r.rateBudget.optionWritesPerSecond} option writes/s, ${r.rateBudget.maxRetries} retries`],
    ['Channels', String(r.counts.channels)],
    ['Locales', `${r.counts.activeLocales} active of ${r.counts.locales}${r.activeLocaleCodes.length ? `: ${r.activeLocaleCodes.join(', ')}` : ''}`],
    ['Currencies', `${r.counts.activeCurrencies} active of ${r.counts.currencies}${r.activeCurrencyCodes.length ? `: ${r.activeCurrencyCodes.join(', ')}` : ''}`],
    ['Families', String(r.counts.families)],
    ['Attributes', String(r.counts.attributes)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\nOK: authenticated and read the catalog in ${r.durationMs} ms (${r.requests} requests).\n`;
}

export function registerPimCommands(program: Command): Command {
  const pim = program.command('pim').description('work with the Akeneo PIM (pim: section of ferry.yaml)');
  withConfigOption(pim.command('check'))
    .description("authenticate and print the PIM's version, edition, endpoint mode, rate budget and catalog counts")
    .option('--json', 'print the result as JSON')
    .action(async (opts: ConfigOptions & { json?: boolean }) => {
      const pimConfig = await loadPimSection(opts);
      try {
        const report = await runPimCheck(pimConfig);
        if (opts.json) printJson({ ok: true, ...report });
        else process.stdout.write(formatPimCheck(report));
      } catch (err) {
        const secrets = pimSecrets(pimConfig);
        const message = scrubSecrets(`cannot use the PIM at ${pimConfig.url}: ${String(err)}`, secrets);
        if (opts.json) printJson({ ok: false, error: message });
        throw new UserError(message, 1);
      }
    });
  return pim;
}
