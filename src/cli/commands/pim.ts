/**
 * `ferry pim …`: talk to the PIM. `ferry pim check` authenticates and prints what Ferry will
 * work with (version, edition, endpoint mode, rate budget, catalog counts). The `pim` group is
 * created here; other modules add subcommands to it (e.g. `bootstrap`, by the mapping module).
 */
import type { Command } from 'commander';
import { runPimCheck, type PimCheckReport } from '../../app/pim-check.js';
import { pimConfigSchema, pimSecrets, type PimConfig } from '../../akeneo/config.js';
import { ConfigError } from '../../config/load.js';
import { connectionSection, sectionKey } from '../../config/deployment.js';
import { connectionFrom, printJson, UserError, withConfigOption, type ConfigOptions } from '../output.js';
import { scrubSecrets } from '../../logging.js';

/**
 * Reads only the `pim:` section, so `pim check` works before the ERP side is configured;
 * problems are still all reported at once, with their key paths.
 */
export async function loadPimSection(file: string | ConfigOptions, env: NodeJS.ProcessEnv = process.env): Promise<PimConfig> {
  const src = await connectionFrom(typeof file === 'string' ? { config: file } : file);
  if (src.raw.pim === undefined) throw new ConfigError(src.file, [{ path: sectionKey(src, 'pim'), message: 'missing; add the pim section (url, clientId, secret, username, password — or token)' }]);
  return connectionSection(src, 'pim', pimConfigSchema, env);
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
