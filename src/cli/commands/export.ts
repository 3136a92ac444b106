/**
 * `ferry export`: products born in the PIM, tagged by Julia, sent to the ERP (docs/export.md).
 * Prints and exits; the work is done in src/sync/export through src/app/run-export.ts.
 */
import type { Command } from 'commander';
import { createLogger } from '../../logging.js';
import { runExport } from '../../app/run-export.js';
import { formatExportReport } from '../../sync/export/index.js';
import { exitCodeFor } from '../../sync/report.js';
import { createHumanLogger } from '../human-log.js';
import { configFrom, printJson, UserError, withConfigOption } from '../output.js';

interface ExportCliOptions {
  config?: string;
  keys?: string;
  dryRun?: boolean;
  json?: boolean;
}

export function registerExportCommand(program: Command): void {
  withConfigOption(
    program
      .command('export')
      .description('Send the products tagged in the PIM to the ERP and write their status back (PIM → ERP).')
      .option('--keys <list>', 'only these products (identifiers or uuids, comma-separated), whatever their status date')
      .option('--dry-run', 'show what would be sent (SKUs, ERP records), write nothing')
      .option('--json', 'print the report as one JSON object'),
  ).action(async (o: ExportCliOptions) => {
    const keys = o.keys
      ?.split(',')
      .map((k) => k.trim())
      .filter(Boolean);
    if (o.keys !== undefined && (!keys || keys.length === 0)) throw new UserError('--keys needs at least one product, e.g. --keys FER0000001,FER0000002.');
    const config = await configFrom(o);
    if (!config.export) throw new UserError('ferry.yaml has no export: section; add one to send products from the PIM to the ERP (see docs/export.md).');
    const logger = process.stderr.isTTY === true ? createHumanLogger() : createLogger({ level: process.env.FERRY_LOG_LEVEL ?? 'info' }, process.stderr);
    const stop = new AbortController();
    const onSignal = (sig: NodeJS.Signals) => stop.abort(`${sig} received`);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    try {
      const report = await runExport(config, { logger, signal: stop.signal, ...(keys ? { keys } : {}), ...(o.dryRun ? { dryRun: true } : {}) });
      if (o.json) printJson(report);
      else process.stdout.write(formatExportReport(report) + '\n');
      process.exitCode = exitCodeFor(report);
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  });
}
