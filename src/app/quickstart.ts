/**
 * The Quick start's main job (`ferry quickstart`, what `npm start` runs): a local PIM sandbox
 * with the demo catalog, the generated SQLite demo ERP, the mapping's bootstrap, and a first
 * full sync between them. No config file: everything is embedded here.
 *
 * The sandbox persists to `<data>/sandbox.sqlite` so the PIM and Ferry's state
 * (`<data>/ferry.db`) stay in agreement: a second `npm start` shows a delta run with nothing
 * to write, which is the point of Ferry.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { authOf, createAkeneoClient } from '../akeneo/index.js';
import { ferryConfigSchema, type FerryConfig } from '../config/schema.js';
import { createErpSource } from '../erp/factory.js';
import { createLogger, type Logger } from '../logging.js';
import { startSandbox } from '../sandbox/index.js';
import { bootstrapPim } from '../sync/bootstrap.js';
import { runSync, type RunReport, type SyncProgress } from '../sync/index.js';

export interface QuickstartOptions {
  items?: number;
  dataDir?: string;
  /** Keep the sandbox up after the sync until SIGINT/SIGTERM. */
  keep?: boolean;
  say?: (line: string) => void;
  onProgress?: (p: SyncProgress) => void;
  /** Called with the report as soon as the sync ends (before --keep waits). */
  onReport?: (report: RunReport) => void;
  /**
   * Awaited after the sync while the sandbox is still up (`ferry serve --quickstart` serves the
   * Console on the demo's config until Ctrl-C); the sandbox closes when it resolves.
   */
  whileUp?: (config: FerryConfig) => Promise<void>;
  logger?: Logger;
}

export async function runQuickstart(options: QuickstartOptions = {}): Promise<RunReport> {
  const say = options.say ?? (() => undefined);
  const dataDir = options.dataDir ?? './data';
  const logger = options.logger ?? createLogger({ level: process.env.FERRY_LOG_LEVEL ?? 'warn' }, process.stderr);

  mkdirSync(dataDir, { recursive: true });
  const sandbox = await startSandbox({ catalog: 'demo', dataFile: join(dataDir, 'sandbox.sqlite') });
  try {
    say(`PIM sandbox: ${sandbox.url} (client id ${sandbox.clientId}, user ${sandbox.username})`);
    const config: FerryConfig = ferryConfigSchema.parse({
      pim: { url: sandbox.url, clientId: sandbox.clientId, secret: sandbox.secret, username: sandbox.username, password: sandbox.password },
      erp: { type: 'demo', path: join(dataDir, 'demo-erp.sqlite'), items: options.items ?? 500, seed: 42 },
      mapping: { preset: 'demo' },
      state: { path: join(dataDir, 'ferry.db') },
      sync: { deletion: 'disable' },
    });
    const pim = config.pim;
    const client = createAkeneoClient({
      url: pim.url,
      auth: authOf(pim),
    });
    const source = createErpSource(config.erp, { logger });
    try {
      const check = await source.check();
      say(`Demo ERP: ${check.system}${check.counts.items != null ? `, ${check.counts.items} items` : ''}`);
      const boot = await bootstrapPim(client, config.mapping, source);
      say(`Bootstrap: ${boot.created} created, ${boot.updated} updated in the PIM (attribute group, attributes, options, family, family variants, category root)`);
      say('Sync: ERP → PIM …');
      const report = await runSync(config, { client, source, logger, full: true, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
      options.onReport?.(report);
      if (options.whileUp) await options.whileUp(config);
      if (options.keep) {
        say(`The sandbox stays up at ${sandbox.url} (Ctrl-C to stop).`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
      }
      return report;
    } finally {
      await source.close().catch(() => undefined);
      await client.close().catch(() => undefined);
    }
  } finally {
    await sandbox.close();
  }
}
