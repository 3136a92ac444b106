/**
 * The Console server: builds the stores, the run manager, the scheduler and the notifier on
 * the state (SQLite or PostgreSQL) and the Console's own SQLite file, and a fastify app serving the JSON API (/api/v1, OpenAPI at
 * /api/v1/openapi.json), the web app (dist/web) and /healthz, /readyz, /metrics.
 * `start()` starts the background work (scheduler, notification checks); tests may leave it off.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { queuedRunsEnabled } from '../app/jobs.js';
import type { FerryConfig } from '../config/schema.js';
import { createLogger, scrubSecrets, type Logger } from '../logging.js';
import { openStateStore } from '../sync/index.js';
import { refusal, registerAuthHook } from './auth.js';
import type { ConsoleContext } from './context.js';
import { createMetrics } from './metrics.js';
import { Notifier } from './notify/notifier.js';
import type { SendOptions } from './notify/senders.js';
import { NotifyStore } from './notify/store.js';
import { Reachability } from './reachability.js';
import { EventIntake } from './events/intake.js';
import { readProductForEvent } from './events/read-product.js';
import { adminRoutes } from './routes/admin.js';
import { eventRoutes } from './routes/events.js';
import { pimToErpRoutes } from './routes/pim-to-erp.js';
import { ConfigFileService } from './config/config-file.js';
import { configRoutes } from './routes/config.js';
import { connectionRoutes } from './routes/connections.js';
import { setupRoutes } from './routes/setup.js';
import { deploymentRoutes } from './routes/deployment.js';
import { mappingRoutes } from './routes/mapping.js';
import { notificationRoutes } from './routes/notifications.js';
import { runRoutes } from './routes/runs.js';
import { scheduleRoutes } from './routes/schedules.js';
import { sessionRoutes } from './routes/session.js';
import { apiSystemRoutes, rootSystemRoutes } from './routes/system.js';
import { estimateRoutes } from './routes/estimate.js';
import { RunConflictError, RunManager, type ExportRunner } from './runs/run-manager.js';
import { ConsoleScheduler } from './schedules/scheduler.js';
import { firesInQueue, QueueSchedules } from './schedules/queue-schedules.js';
import { ScheduleStore } from './schedules/store.js';
import { AuditStore } from './store/audit-store.js';
import { AuthStore } from './store/auth-store.js';
import { consoleDbPath, openConsoleDb } from './store/db.js';
import { RunsReader } from './store/runs-read.js';
import { FERRY_VERSION } from '../version.js';
import type { ErpSource } from '../erp/port.js';

export interface ConsoleOptions {
  config: FerryConfig;
  /** The ferry.yaml the config came from: the Console reads and writes it (issue 15). */
  configFile?: string;
  /** The environment `${ENV}` and FERRY_SECRET_KEY come from (default process.env; tests give their own). */
  env?: NodeJS.ProcessEnv;
  /** Shown as the connection's name (the config file's name). */
  connectionName?: string;
  demo?: boolean;
  /** The Console's own address, for links in notifications. */
  publicUrl?: string;
  /** The built web app (default: dist/web next to the compiled server). */
  webRoot?: string;
  trustProxy?: boolean;
  /** Cookies marked Secure (behind https). */
  secureCookies?: boolean;
  logger?: Logger;
  clock?: () => number;
  /** Notification delivery retries (tests shorten the backoff). */
  send?: SendOptions;
  /** Notification checks interval (ms). */
  monitorEveryMs?: number;
  /** Tests: an ERP source factory for the dashboard and the category picker. */
  openSource?: () => Promise<ErpSource>;
  /** Serve the default metrics of the process too (off in tests: one registry per app). */
  processMetrics?: boolean;
  /** Serve https with this certificate and key (PEM). */
  https?: { cert: Buffer; key: Buffer };
  /** Tests: the export the Console runs (default: src/app/run-export.ts). */
  runExport?: ExportRunner;
  /**
   * With a PostgreSQL state: the SQLite file of the Console's own tables (users, sessions,
   * schedules, notifications, audit, config history, setup). Default: console.db in the folder
   * of state.path (./data/console.db beside the config). Unused with a SQLite state, whose file holds them.
   */
  consoleDbPath?: string;
  /**
   * Several connections in one process (src/server/deployment.ts): the users and sessions every
   * connection shares (default: this connection's own, in its state file), and the list the switcher shows.
   */
  auth?: AuthStore;
  deployment?: ConsoleContext['deployment'];
}


export interface ConsoleServer {
  app: FastifyInstance;
  ctx: ConsoleContext;
  /** Starts the scheduler and the notification checks. */
  start(): void;
  close(): Promise<void>;
}

/** dist/web beside the compiled server (dist/server → dist/web), or from the sources (src/server → dist/web). */
export function defaultWebRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const compiled = resolve(here, '..', 'web');
  return existsSync(join(compiled, 'index.html')) ? compiled : resolve(here, '..', '..', 'dist', 'web');
}

const NO_WEB_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ferry Console</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto; line-height: 1.5">
<h1>Ferry Console</h1>
<p>The web app is not built yet. Run <code>npm run build</code> in the Ferry folder, then start <code>ferry serve</code> again.</p>
<p>The API answers meanwhile: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
</body></html>`;

export async function createConsole(options: ConsoleOptions): Promise<ConsoleServer> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: process.env.FERRY_LOG_LEVEL ?? 'info' }, process.stderr);
  const clock = options.clock ?? Date.now;
  // The engine's state stays open while the Console runs: its pages read the run history through
  // the store's port, the same on a SQLite file and on PostgreSQL. The Console's own tables live
  // in the state's SQLite file, or with a PostgreSQL state in a SQLite file of their own (consoleDbPath).
  const state = await openStateStore(config.state);
  const db = openConsoleDb(consoleDbPath(config.state, options.consoleDbPath), { engineTables: config.state.driver === 'sqlite' });

  const cancellable = { check: (_id: number, _mode: string) => false };
  const runs = new RunsReader(state.history(), db, (id, mode) => cancellable.check(id, mode));
  const metrics = createMetrics(state.history(), { defaults: options.processMetrics ?? false });
  const notify = new NotifyStore(db, clock);
  // Loading the channels registers their secrets with the scrubber before anything is logged.
  notify.listChannels();
  const notifier = new Notifier({ history: state.history(), store: notify, publicUrl: options.publicUrl ?? 'http://127.0.0.1:8080', clock, logger, ...(options.send ? { send: options.send } : {}) });
  await notifier.init();
  const manager = new RunManager({
    config,
    db,
    state,
    runs,
    logger,
    onPimRequest: (e) => metrics.onPimRequest(e),
    ...(options.runExport ? { runExport: options.runExport } : {}),
    ...(options.deployment && options.connectionName ? { tenant: options.connectionName } : {}),
    onFinished: async (job) => {
      if (job.runId === null && job.error !== null && !job.dryRun) await notifier.runCouldNotStart(job.jobId, job.error, job.startedBy);
      await notifier.evaluateFinishedRuns();
    },
  });
  cancellable.check = (id, mode) => manager.isCancellable(id, mode);
  const schedules = new ScheduleStore(db, clock);
  // With the job queue, sync schedules are the workers' (pg-boss cron); this process fires the others.
  const queueSchedules = new QueueSchedules({ store: schedules, queue: () => manager.jobQueue(), logger });
  const scheduler = new ConsoleScheduler({
    store: schedules,
    clock,
    logger,
    fires: (s) => !manager.queuedRuns() || !firesInQueue(s),
    onLag: (s) => metrics.observeScheduleLag(s),
    runner: {
      busy: () => {
        if (manager.isBusy()) return 'a run started from the Console was going';
        const other = manager.lockedElsewhere();
        return other ? `another sync (${other}) was going` : null;
      },
      start: async (mode, startedBy) => {
        const r = await manager.start({ mode, dryRun: false }, startedBy);
        audit.record(startedBy, 'run.start', r.runId !== null ? `run#${r.runId}` : r.jobId, { mode });
        return r;
      },
    },
  });
  const auth = options.auth ?? new AuthStore(db, clock);
  const audit = new AuditStore(db, clock);
  const reachability = new Reachability(config, manager, logger, options.openSource);
  let monitor: NodeJS.Timeout | null = null;
  let queueSynced: Promise<void> = Promise.resolve();

  const events = config.events
    ? new EventIntake({
        db,
        logger,
        settings: {
          debounceMs: config.events.debounceSeconds * 1000,
          // The Events API names an API author by username, the Event Platform by client id.
          ferryAuthors: config.events.ferryAuthors ?? ('username' in config.pim ? [config.pim.username, config.pim.clientId] : []),
          statusAttribute: config.export?.status.attribute ?? 'erp_status',
          statusAttributes:
            config.events.statusAttributes ??
            (config.export ? [config.export.status.attribute, config.export.status.message, config.export.status.erpId] : ['erp_status', 'erp_message', 'erp_id']),
          tag: config.export?.tag ?? { kind: 'status' },
          updates: config.export?.updates ?? 'never',
        },
        readProduct: (key, identifier) => readProductForEvent(manager.pimClient(), key, identifier),
        // Serialized with every other run: a run going means "later", never a second one at once.
        trigger: async (keys) => {
          if (manager.isBusy() || manager.lockedElsewhere()) return 'busy';
          try {
            const r = await manager.start({ mode: 'export', keys, dryRun: false }, 'events');
            audit.record('events', 'export.start', r.runId !== null ? `run#${r.runId}` : r.jobId, { keys: keys.length });
            return 'started';
          } catch (err) {
            if (err instanceof RunConflictError) return 'busy';
            throw err;
          }
        },
      })
    : null;

  const ctx: ConsoleContext = {
    config,
    connectionName: options.connectionName ?? 'ferry.yaml',
    demo: options.demo === true,
    db,
    state,
    auth,
    audit,
    runs,
    manager,
    schedules,
    scheduler,
    queueSchedules,
    notify,
    notifier,
    metrics,
    reachability,
    logger,
    secureCookies: options.secureCookies === true,
    backgroundStarted: () => scheduler.started,
    events,
    configFile: options.configFile ? new ConfigFileService(options.configFile, db, options.env ?? process.env, clock) : null,
    ...(options.deployment ? { deployment: options.deployment } : {}),
  };
  // A save from the Console (Connections, the first-run wizard) is what the next runs use.
  ctx.onConfigSaved = async () => {
    if (!ctx.configFile) return;
    let next: FerryConfig;
    try {
      next = ctx.configFile.load();
    } catch (err) {
      logger.warn({ err: scrubSecrets(String(err)) }, 'the saved ferry.yaml does not load yet; the Console keeps the previous configuration');
      return;
    }
    // `jobs.workers` toggled, or the queue's database changed: the import schedules move between
    // the queue's cron (workers fire them) and this process's scheduler, so neither loses nor doubles one.
    const queueOf = (c: FerryConfig) => (queuedRunsEnabled(c) ? JSON.stringify([c.state, c.jobs]) : null);
    const [before, after] = [queueOf(ctx.config), queueOf(next)];
    if (before !== null && before !== after) {
      await queueSchedules.removeAll().catch((err: unknown) => logger.warn({ err: scrubSecrets(String(err)) }, 'could not take the schedules out of the job queue it used until now; remove them there (ferry worker fires them until then)'));
    }
    ctx.config = next;
    await manager.useConfig(next);
    reachability.useConfig(next);
    if (after !== null && before !== after) {
      queueSynced = queueSchedules.syncAll().catch((err: unknown) => logger.warn({ err: scrubSecrets(String(err)) }, 'could not copy the schedules to the job queue; they are copied at the next start'));
      await queueSynced;
    }
  };

  const fastifyOptions = { logger: false, trustProxy: options.trustProxy === true, bodyLimit: 2 * 1024 * 1024, ...(options.https ? { https: options.https } : {}) };
  // Typed as the plain http server: the routes do not care which one listens.
  const app = Fastify(fastifyOptions as { logger: false }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Component libraries set style attributes; no inline script is ever allowed.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    hsts: options.secureCookies === true,
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, context) => ({ statusCode: 429, ...refusal('rate_limited', `too many attempts; try again in ${Math.ceil(context.ttl / 1000)} s`) }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Ferry Console API', version: FERRY_VERSION, description: 'The JSON API of `ferry serve` (see docs/console-api.md).' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'ferry_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const first = err.validation[0];
      const where = err.validationContext === 'querystring' ? 'query' : (err.validationContext ?? 'body');
      const path = (first?.instancePath ?? '').split('/').filter(Boolean).join('.');
      const field = path ? `${where}.${path}` : where;
      return reply.code(400).send(refusal('bad_request', `${field}: ${first?.message ?? 'invalid'}`, field));
    }
    const status = err.statusCode ?? 500;
    if (status === 429) return reply.code(429).send(refusal('rate_limited', err.message));
    if (status >= 400 && status < 500) return reply.code(status).send(refusal('bad_request', scrubSecrets(err.message)));
    logger.error({ err: scrubSecrets(String(err)), url: req.url }, 'console request failed');
    return reply.code(500).send(refusal('internal', 'the Console hit an unexpected error; the server log says more'));
  });

  registerAuthHook(app, auth);
  await app.register(rootSystemRoutes(ctx));
  await app.register(
    async (api) => {
      await api.register(sessionRoutes(ctx));
      await api.register(apiSystemRoutes(ctx));
      await api.register(estimateRoutes(ctx));
      await api.register(runRoutes(ctx));
      await api.register(scheduleRoutes(ctx));
      await api.register(notificationRoutes(ctx));
      await api.register(adminRoutes(ctx));
      await api.register(eventRoutes(ctx));
      await api.register(pimToErpRoutes(ctx));
      await api.register(configRoutes(ctx));
      await api.register(connectionRoutes(ctx));
      await api.register(setupRoutes(ctx));
      await api.register(deploymentRoutes(ctx));
      await api.register(mappingRoutes(ctx, options.openSource ? { openSource: options.openSource } : {}));
      api.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
    },
    { prefix: '/api/v1' },
  );

  const webRoot = options.webRoot ?? defaultWebRoot();
  const hasWeb = existsSync(join(webRoot, 'index.html'));
  if (hasWeb) await app.register(fastifyStatic, { root: webRoot, wildcard: false, index: ['index.html'] });
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || req.method !== 'GET') return reply.code(404).send(refusal('not_found', `no ${req.method} ${req.url.split('?')[0]}`));
    // The single-page app's own routes (/runs/12, /schedules) load its index.
    if (hasWeb) return reply.type('text/html').sendFile('index.html');
    return reply.type('text/html; charset=utf-8').send(NO_WEB_PAGE);
  });

  return {
    app,
    ctx,
    start() {
      scheduler.start();
      // The schedules as the Console's table has them, copied to the queue (edits made while it was down included).
      if (manager.queuedRuns()) {
        queueSynced = queueSchedules.syncAll().catch((err: unknown) => logger.warn({ err: scrubSecrets(String(err)) }, 'could not copy the schedules to the job queue; they are copied at the next start'));
      }
      const every = options.monitorEveryMs ?? 30_000;
      monitor = setInterval(() => void notifier.tick(), every);
      monitor.unref();
    },
    async close() {
      scheduler.stop();
      await queueSynced;
      events?.close();
      if (monitor) clearInterval(monitor);
      await app.close();
      await manager.close();
      await notifier.evaluateFinishedRuns();
      db.close();
      await state.close();
    },
  };
}
