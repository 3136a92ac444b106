/**
 * `runExport` as the command line and the Console call it: the core's export run
 * (src/sync/export/run.ts) with the ERP sink built from the config's `erp:` section, the PIM
 * client and the state store from the rest of the config.
 */
import { createAkeneoClientFromConfig, type AkeneoClient } from '../akeneo/index.js';
import type { FerryConfig } from '../config/schema.js';
import type { ErpSink, ErpSource } from '../erp/port.js';
import { createLogger, type Logger } from '../logging.js';
import { lockNameFor, openStateStore, type StateStore } from '../sync/index.js';
import { executeExport, type ExportOptions, type ExportReport } from '../sync/export/index.js';
import { emptyExportReport } from '../sync/export/report.js';

export type { ExportOptions, ExportProgress, ExportReport } from '../sync/export/index.js';

export interface RunExportOptions extends ExportOptions {
  logger?: Logger;
  /** Use these instead of building them from the config (tests, benchmarks). */
  client?: AkeneoClient;
  sink?: ErpSink;
  state?: StateStore;
}

export async function runExport(config: FerryConfig, options: RunExportOptions = {}): Promise<ExportReport> {
  const exportConfig = config.export;
  if (!exportConfig) {
    const report = emptyExportReport(config.erp.type, options.dryRun === true, new Date());
    report.status = 'failed';
    report.error = 'ferry.yaml has no export: section; add one to send products from the PIM to the ERP (docs/export.md).';
    return report;
  }
  const logger = options.logger ?? createLogger({}, process.stderr);
  const client = options.client ?? createAkeneoClientFromConfig(config.pim, { logger });
  const factory = await import('../erp/factory.js');
  const sink = options.sink ?? factory.createErpSink(config.erp, { logger });
  const state = options.state ?? (await openStateStore(config.state));
  // The ERP's SKUs, for the generator's collision check: read by key where a read has no side effect.
  let checker: ErpSource | null = null;
  const erpHas =
    exportConfig.sku.mode === 'generate' && config.erp.type !== 'files'
      ? async (skus: readonly string[]) => {
          checker ??= factory.createErpSource(config.erp, { logger, readOnly: true });
          const found = new Set<string>();
          for await (const r of checker.read('items', { keys: [...skus] })) found.add(r.key);
          return found;
        }
      : undefined;
  try {
    return await executeExport(
      exportConfig,
      {
        client,
        sink,
        state,
        logger,
        lockName: `export:${lockNameFor(config.pim)}`,
        templates: exportConfig.templates ?? config.erp.type === 'tryton',
        lockTimeoutMs: config.sync.lockTimeoutSeconds * 1000,
        ...(erpHas ? { erpHas } : {}),
      },
      options,
    );
  } finally {
    if (checker) await (checker as ErpSource).close().catch(() => undefined);
    if (!options.sink) await sink.close().catch(() => undefined);
    if (!options.state) await state.close().catch(() => undefined);
    if (!options.client) await client.close().catch(() => undefined);
  }
}
