/** What the routes share: the stores, the run manager, the scheduler, the notifier, settings. */
import type { FerryConfig } from '../config/schema.js';
import type { Logger } from '../logging.js';
import type { ConsoleMetrics } from './metrics.js';
import type { Notifier } from './notify/notifier.js';
import type { NotifyStore } from './notify/store.js';
import type { RunManager } from './runs/run-manager.js';
import type { ConsoleScheduler } from './schedules/scheduler.js';
import type { QueueSchedules } from './schedules/queue-schedules.js';
import type { ScheduleStore } from './schedules/store.js';
import type { AuditStore } from './store/audit-store.js';
import type { AuthStore } from './store/auth-store.js';
import type { ConsoleDb } from './store/db.js';
import type { RunsReader } from './store/runs-read.js';
import type { StateStore } from '../sync/state/port.js';
import type { Reachability } from './reachability.js';
import type { EventIntake } from './events/intake.js';
import type { ConfigFileService } from './config/config-file.js';
import type { Deployment } from './api/contract.js';

export interface ConsoleContext {
  config: FerryConfig;
  /** The config file's name, shown as the connection's name. */
  connectionName: string;
  demo: boolean;
  /** The Console's own tables (the state's SQLite file, or a file of its own with a PostgreSQL state). */
  db: ConsoleDb;
  /** The engine's state, open while the Console runs: the run pages read its history. */
  state: StateStore;
  auth: AuthStore;
  audit: AuditStore;
  runs: RunsReader;
  manager: RunManager;
  schedules: ScheduleStore;
  scheduler: ConsoleScheduler;
  /** The schedules in the job queue, when runs go through it (manager.queuedRuns()). */
  queueSchedules: QueueSchedules;
  notify: NotifyStore;
  notifier: Notifier;
  metrics: ConsoleMetrics;
  reachability: Reachability;
  logger: Logger;
  /** Secure cookies (https, or --trust-proxy with X-Forwarded-Proto https). */
  secureCookies: boolean;
  backgroundStarted: () => boolean;
  /** Akeneo events → exports (null when ferry.yaml has no `events:`). */
  events?: EventIntake | null;
  /** ferry.yaml read and written by the Console (null: started from a config object, e.g. in tests). */
  configFile: ConfigFileService | null;
  /** In a deployment of several connections (src/server/deployment.ts): all of them, for the switcher. */
  deployment?: { connections(): Deployment['connections'] };
  /** Called after a save from the Console (reloads the configuration the next runs use). */
  onConfigSaved?: () => Promise<void>;
}
