/**
 * `runSync` as the command line and the Console call it: the core's run (src/sync/index.ts) with
 * the ERP source built from the config's `erp:` section, which only this outer layer may do
 * (the core knows the ERP port, not its adapters), and the PIM client built here too when its
 * rate budget is shared across processes (`pim.limits.shared`, src/budget).
 */
import type { FerryConfig } from '../config/schema.js';
import { runSync as runSyncWith, type RunReport, type RunSyncOptions } from '../sync/index.js';
import { createPimClient } from './pim-client.js';

export type { RunSyncOptions } from '../sync/index.js';

export async function runSync(config: FerryConfig, options: RunSyncOptions = {}): Promise<RunReport> {
  // The core builds an in-process client itself; a shared budget needs the adapter, built here.
  const client = !options.client && config.pim.limits.shared ? createPimClient(config.pim, options.logger ? { logger: options.logger } : {}) : undefined;
  try {
    return await runSyncWith(config, {
      // Loaded on demand: the factory pulls in every adapter (SQL drivers, XLSX, …), ~35 MB that a
      // caller bringing its own source does not need.
      openSource: async (logger) => (await import('../erp/factory.js')).createErpSource(config.erp, { logger }),
      ...options,
      ...(client ? { client } : {}),
    });
  } finally {
    // Frees this process's leases at once rather than after the lease.
    await client?.close();
  }
}
