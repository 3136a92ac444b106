/**
 * The sync entry point: builds the pieces a run needs from ferry.yaml (PIM client, state store,
 * mapper over the live PIM structure) and runs the engine. The ERP source comes from the caller
 * (`source`, or `openSource` to have it opened here): the core knows no ERP adapter, so building
 * it from the config's `erp:` section is src/app/run-sync.ts's job.
 */
import { existsSync } from 'node:fs';
import { createAkeneoClientFromConfig, type AkeneoClient } from '../akeneo/index.js';
import type { PimConfig } from '../akeneo/config.js';
import type { FerryConfig } from '../config/schema.js';
import type { ErpSource, StreamName } from '../erp/port.js';
import { createLogger, type Logger } from '../logging.js';
import { createMapper, loadPimStructure } from '../mapping/index.js';
import { ReferenceDataCollector } from '../mapping/reference-data.js';
import { resolveMapping } from '../mapping/resolve.js';
import type { StateConfig } from './config.js';
import { executeSync, type EngineDeps, type SyncOptions } from './engine.js';
import type { SyncPimClient } from './pim.js';
import type { RunReport } from './report.js';
import { mediaLookup, mediaReader } from './media-source.js';
import { collectWarnings, recordFailedStart } from './run-record.js';
import type { StateStore } from './state/port.js';
import { openSqliteStateStore } from './state/sqlite.js';
import { openPostgresStateStore } from './state/postgres.js';
import { ConnectionLocks } from './connection-lock.js';
import { defaultTenantLabel, stateKeyOf, takeConnectionLock, type ConnectionWaiting } from './connection-wait.js';
import type { HeldLock } from './lock.js';

export type { SyncOptions, SyncProgress, DeletionPolicy, EngineDeps } from './engine.js';
export { executeSync } from './engine.js';
export { mediaLookup, mediaReader, type MediaUrlPolicy } from './media-source.js';
export type { RunReport, OutcomeCounts, RequestCounts, SyncMode } from './report.js';
export { formatReport, summaryLine, jsonSummary, exitCodeFor, rejectsCsv, countsAddUp } from './report.js';
export type { StateStore } from './state/port.js';
export { SqliteStateStore, openSqliteStateStore } from './state/sqlite.js';
export { PostgresStateStore, openPostgresStateStore } from './state/postgres.js';

export async function openStateStore(config: StateConfig): Promise<StateStore> {
  switch (config.driver) {
    case 'sqlite':
      return openSqliteStateStore(config.path);
    case 'postgres':
      // The schema refuses a postgres driver without a url; checked again for callers that build the object.
      if (config.url === undefined) throw new Error('state.driver postgres needs state.url (postgres://user:password@host:5432/database).');
      return openPostgresStateStore({ url: config.url, ...(config.schema ? { schema: config.schema } : {}) });
  }
}

/** One lock per PIM connection: two configs syncing into the same PIM with the same connection wait for each other. */
export function lockNameFor(pim: PimConfig): string {
  const who = 'clientId' in pim ? pim.clientId : 'connections' in pim ? pim.connections.map((c) => c.clientId).join('+') : 'app';
  return `sync:${pim.url.replace(/\/+$/, '')}:${who}`;
}

/** The PIM connection in words, for messages: its URL and the Akeneo Connection (client id), never a secret. */
function describePimConnection(pim: PimConfig): string {
  const who = 'clientId' in pim ? `client id ${pim.clientId}` : 'connections' in pim ? `client ids ${pim.connections.map((c) => c.clientId).join(', ')}` : 'an App token';
  return `${pim.url.replace(/\/+$/, '')}, ${who}`;
}

export interface RunSyncOptions extends SyncOptions {
  logger?: Logger;
  /** Use these instead of building them from the config (the Quick start, tests, benchmarks). */
  client?: AkeneoClient;
  source?: ErpSource;
  /** Opens the ERP source when `source` is not given (closed by the run); its warnings go to `logger` and into the report. */
  openSource?: (logger: Logger) => ErpSource | Promise<ErpSource>;
  state?: StateStore;
  /**
   * Loads the PIM's structure (default: loadPimStructure, some 40 requests): a worker reuses one
   * load across the shards of a run, whose structure the plan settled before any shard started.
   */
  loadStructure?: (client: AkeneoClient) => ReturnType<typeof loadPimStructure>;
  /** Whose run this is, as people name it (a deployment's connection name); default: the state it writes. */
  tenant?: string;
  /**
   * Waiting for another tenant's run on the same PIM connection (connection-wait.ts): `timeoutMs`
   * default `sync.lockWaitSeconds` (0: refused at once), `onWaiting` told whom it waits for.
   */
  lockWait?: { timeoutMs?: number; pollMs?: number; onWaiting?: (w: ConnectionWaiting) => void };
}

/** The keys still waiting in the retry queue, per stream (for a source that keeps rejected input). */
async function retryQueueOf(state: StateStore, streams: readonly StreamName[]): Promise<Partial<Record<StreamName, string[]>>> {
  const out: Partial<Record<StreamName, string[]>> = {};
  for (const s of streams) out[s] = await state.listRetries(s);
  return out;
}

function openSourceOf(options: RunSyncOptions): NonNullable<RunSyncOptions['openSource']> {
  if (options.openSource) return options.openSource;
  throw new Error('runSync needs an ERP source: pass `source` or `openSource` (src/app/run-sync.ts builds it from the config).');
}

export async function runSync(config: FerryConfig, options: RunSyncOptions = {}): Promise<RunReport> {
  // Logs go to stderr: stdout carries the report (or --json) alone.
  const logger = options.logger ?? createLogger({}, process.stderr);
  const ownClient = !options.client;
  const client = options.client ?? createAkeneoClientFromConfig(config.pim, { logger });
  const ownSource = !options.source;
  // The adapter's warnings (e.g. fuzzy translations) are logged and also kept in the report.
  const erpWarnings = collectWarnings(logger);
  const source = options.source ?? (await openSourceOf(options)(erpWarnings.logger));
  const ownState = !options.state;
  // A dry run writes nothing, not even a first state file: without one it plans against an
  // empty state in memory (everything would be created), as the real first run would.
  const freshDryRun = options.dryRun === true && config.state.driver === 'sqlite' && !existsSync(config.state.path);
  const state = options.state ?? (await openStateStore(freshDryRun ? { ...config.state, path: ':memory:' } : config.state));
  // A source that consumes its input (the files adapter moves files to done/ on close) must
  // keep it when the run did not settle, or a dry run, or the next run would never see it again.
  let keepInput = true;
  let connection: { locks: ConnectionLocks; lock: HeldLock } | null = null;
  const startedAt = new Date();
  try {
    // A part of a queued run runs under the run lock the queue holds in the shared state (src/app/jobs.ts).
    if (!options.dryRun && !options.part) {
      // One run per PIM connection, whatever the state file; taken before any PIM request.
      // Another tenant's run holding it: this one waits its turn (a run of this same state is refused).
      const me = { tenant: options.tenant ?? defaultTenantLabel(config.state), stateKey: stateKeyOf(config.state) };
      const locks = new ConnectionLocks(config.sync.lockDir, me);
      try {
        const lock = await takeConnectionLock(
          locks,
          lockNameFor(config.pim),
          me,
          {
            staleAfterMs: config.sync.lockTimeoutSeconds * 1000,
            heartbeatMs: options.heartbeatMs ?? 10_000,
            onLost: () => logger.warn({ lock: lockNameFor(config.pim) }, 'connection lock taken over by another run'),
          },
          {
            timeoutMs: options.lockWait?.timeoutMs ?? config.sync.lockWaitSeconds * 1000,
            ...(options.lockWait?.pollMs !== undefined ? { pollMs: options.lockWait.pollMs } : {}),
            onWaiting: (w) => {
              logger.info({ waitingFor: w.waitingFor, ahead: w.ahead }, `waiting for ${w.waitingFor} (same PIM connection)`);
              options.lockWait?.onWaiting?.(w);
            },
            ...(options.signal ? { signal: options.signal } : {}),
          },
          describePimConnection(config.pim),
        );
        connection = { locks, lock };
      } catch (err) {
        await locks.close();
        throw err;
      }
    }
    let pim: Awaited<ReturnType<typeof loadPimStructure>>;
    try {
      pim = await (options.loadStructure ?? loadPimStructure)(client);
    } catch (err) {
      // The PIM unreachable or refusing before anything was read: still a run of the history.
      return await recordFailedStart(state, options, startedAt, err);
    }
    const media = await state.listMediaBySource();
    const mapper = createMapper(config.mapping, pim, { media: { lookup: mediaLookup(media, config.sync.mediaRoot, config.sync.mediaUrls) } });
    const resolved = resolveMapping(config.mapping);
    const referenceData = new ReferenceDataCollector(resolved.referenceData, resolved, pim);
    const deps: EngineDeps = {
      source,
      client: client satisfies SyncPimClient,
      mapper,
      state,
      settings: { deletion: config.sync.deletion, updateOnly: config.sync.updateOnly },
      lockName: lockNameFor(config.pim),
      logger,
      readMedia: mediaReader(config.sync.mediaRoot, media, {
        allowAbsolute: config.sync.mediaAllowAbsolute,
        maxBytes: config.sync.mediaMaxBytes,
        hosts: config.sync.mediaHosts,
      }),
      attributes: pim.attributes,
      ...(referenceData.isEmpty ? {} : { referenceData }),
      ...(connection ? { connectionLock: connection.lock } : {}),
    };
    const report = await executeSync(deps, {
      lockTimeoutMs: config.sync.lockTimeoutSeconds * 1000,
      maxInFlight: config.sync.batchesInFlight,
      pimUnreachableMs: config.sync.pimUnreachableSeconds * 1000,
      ...options,
    });
    // A part of a queued run never consumes the input: other parts read it too.
    keepInput = report.status === 'failed' || report.status === 'interrupted' || Boolean(options.dryRun) || Boolean(options.part);
    const warned = erpWarnings.take();
    if (warned.total > 0) {
      report.erpWarnings = warned;
      if (report.runId !== null && !options.dryRun && !options.part) await state.finishRun(report.runId, report.status, report);
    }
    if (!keepInput && source.keepForRetry) source.keepForRetry(await retryQueueOf(state, source.streams));
    return report;
  } finally {
    if (connection) {
      await connection.lock.release().catch(() => undefined);
      await connection.locks.close().catch(() => undefined);
    }
    if (keepInput) source.abandon?.();
    if (ownSource) await source.close().catch(() => undefined);
    if (ownState) await state.close().catch(() => undefined);
    if (ownClient) await client.close().catch(() => undefined);
  }
}
