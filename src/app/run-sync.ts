/**
 * `runSync` as the command line and the Console call it: the core's run (src/sync/index.ts) with
 * the ERP source built from the config's `erp:` section, which only this outer layer may do
 * (the core knows the ERP port, not its adapters), and the PIM client built here too when its
 * rate budget is shared across processes (`pim.limits.shared`, src/budget).
 */
import { createAkeneoClientFromConfig } from '../akeneo/index.js';
import type { FerryConfig } from '../config/schema.js';
import { createLogger } from '../logging.js';
import { markReturnedInErp } from '../sync/export/index.js';
import { openStateStore, runSync as runSyncWith, type RunReport, type RunSyncOptions } from '../sync/index.js';
import { createPimClient } from './pim-client.js';

export type { RunSyncOptions } from '../sync/index.js';

export async function runSync(config: FerryConfig, options: RunSyncOptions = {}): Promise<RunReport> {
  // The core builds an in-process client itself; a shared budget needs the adapter, built here.
  const client = !options.client && config.pim.limits.shared ? createPimClient(config.pim, options.logger ? { logger: options.logger } : {}) : undefined;
  try {
    const runOptions: RunSyncOptions = { ...options, ...(client ? { client } : {}) };
    const report = await runSyncWith(config, {
      // Loaded on demand: the factory pulls in every adapter (SQL drivers, XLSX, …), ~35 MB that a
      // caller bringing its own source does not need.
      openSource: async (logger) => (await import('../erp/factory.js')).createErpSource(config.erp, { logger }),
      ...runOptions,
    });
    // A part of a queued run leaves it to the settle (src/app/jobs.ts), once every shard is in: its report says it.
    if (config.export && !options.dryRun && !options.part && report.status !== 'failed' && report.status !== 'interrupted') await markExportedInErp(config, runOptions, report);
    return report;
  } finally {
    // Frees this process's leases at once rather than after the lease.
    await client?.close();
  }
}

/** The products Ferry exported that this import synced back become `in_erp` (issue 17 point 4). */
export async function markExportedInErp(config: FerryConfig, options: RunSyncOptions, report: RunReport): Promise<void> {
  const logger = options.logger ?? createLogger({}, process.stderr);
  const client = options.client ?? createAkeneoClientFromConfig(config.pim, { logger });
  const state = options.state ?? (await openStateStore(config.state));
  try {
    const { marked, failed } = await markReturnedInErp(client, state, config.export!);
    (report as RunReport & { exportReturned?: { inErp: number; failed: string[] } }).exportReturned = { inErp: marked, failed };
    if (marked || failed.length) logger.info({ inErp: marked, failed: failed.length }, 'exported products back from the ERP marked in_erp');
  } catch (error) {
    logger.warn({ err: (error as Error).message }, 'could not mark the exported products that came back from the ERP as in_erp');
  } finally {
    if (!options.state) await state.close().catch(() => undefined);
    if (!options.client) await client.close().catch(() => undefined);
  }
}
