/**
 * `runSync` as the command line and the Console call it: the core's run (src/sync/index.ts) with
 * the ERP source built from the config's `erp:` section, which only this outer layer may do
 * (the core knows the ERP port, not its adapters).
 */
import type { FerryConfig } from '../config/schema.js';
import { runSync as runSyncWith, type RunReport, type RunSyncOptions } from '../sync/index.js';

export type { RunSyncOptions } from '../sync/index.js';

export function runSync(config: FerryConfig, options: RunSyncOptions = {}): Promise<RunReport> {
  return runSyncWith(config, {
    // Loaded on demand: the factory pulls in every adapter (SQL drivers, XLSX, …), ~35 MB that a
    // caller bringing its own source does not need.
    openSource: async (logger) => (await import('../erp/factory.js')).createErpSource(config.erp, { logger }),
    ...options,
  });
}
