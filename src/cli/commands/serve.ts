/**
 * `ferry serve`: the Console (web app, JSON API, scheduler, notifications) in one process.
 * `ferry serve --quickstart` is what `npm start` runs: the Quick start's demo (sandbox PIM,
 * demo ERP, bootstrap, first sync), then the Console on it with a nightly schedule and a
 * demo user whose generated password is printed once.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { configBaseDir } from '../../config/paths.js';
import { ferryConfigSchema, type FerryConfig } from '../../config/schema.js';
import { createLogger } from '../../logging.js';
import { formatReport, summaryLine } from '../../sync/report.js';
import { runQuickstart } from '../../app/quickstart.js';
import type { createConsole } from '../../server/app.js';
import { configFrom, UserError, withConfigOption } from '../output.js';
import { loadDeployment, pickConnection, type Deployment } from '../../config/deployment.js';

interface ServeFlags {
  config: string;
  connection?: string;
  host: string;
  port: string;
  demo?: boolean;
  trustProxy?: boolean;
  publicUrl?: string;
  tlsCert?: string;
  tlsKey?: string;
  quickstart?: boolean;
  items?: string;
  data?: string;
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}

function portOf(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UserError(`--port ${text} is not a port number (0-65535).`);
  return n;
}

/**
 * What one Console and a deployment's Console both take from the flags: the port, TLS (cert and
 * key together), the public address links use, cookies marked Secure behind https, the logger.
 */
function listenSettings(o: ServeFlags) {
  const port = portOf(o.port);
  const tls = o.tlsCert && o.tlsKey ? { cert: readFileSync(o.tlsCert), key: readFileSync(o.tlsKey) } : null;
  if ((o.tlsCert || o.tlsKey) && !tls) throw new UserError('--tls-cert and --tls-key go together.');
  const scheme = tls ? 'https' : 'http';
  const shownHost = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    port,
    tls,
    server: {
      publicUrl: o.publicUrl ?? `${scheme}://${shownHost}:${port}`,
      trustProxy: o.trustProxy === true,
      secureCookies: Boolean(tls) || (o.publicUrl?.startsWith('https:') ?? false),
      logger: createLogger({ level: process.env.FERRY_LOG_LEVEL ?? 'warn' }, process.stderr),
      ...(tls ? { https: tls } : {}),
    },
  };
}

/** Runs the Console until SIGINT/SIGTERM. */
async function serveConsole(config: FerryConfig, o: ServeFlags, extras: { connectionName: string; demo: boolean; configFile?: string; afterStart?: (url: string, server: Awaited<ReturnType<typeof createConsole>>) => Promise<void> }): Promise<void> {
  const { port, tls, server: settings } = listenSettings(o);
  // Loaded here: the other commands need none of the server's modules.
  const { createConsole } = await import('../../server/app.js');
  const server = await createConsole({
    config,
    ...(extras.configFile ? { configFile: extras.configFile } : {}),
    connectionName: extras.connectionName,
    demo: extras.demo,
    processMetrics: true,
    ...settings,
  });
  // No user yet: a one-time setup link (as Jenkins and Grafana do); whoever opens it creates the first admin.
  const setupToken = server.ctx.auth.countUsers() === 0 && !extras.demo ? (await import('../../server/routes/setup.js')).issueSetupToken(server.ctx) : null;
  if (!isLoopbackHost(o.host) && !tls && !o.trustProxy) {
    process.stderr.write(
      `warning: serving on ${o.host} without TLS: passwords and session cookies cross the network in clear text. ` +
        'Put an https reverse proxy in front (and pass --trust-proxy), or pass --tls-cert and --tls-key.\n',
    );
  }
  // Listening for Ctrl-C before saying where the Console is: a stop right after is graceful too.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const address = await server.app.listen({ host: o.host, port });
  const url = o.publicUrl ?? address;
  server.start();
  process.stdout.write(`Ferry Console: ${url} (Ctrl-C to stop)\n`);
  if (setupToken) {
    process.stdout.write(
      `\nThe Console has no user yet. Open this one-time link to create the first admin and set Ferry up:\n  ${url.replace(/\/$/, '')}/setup?token=${setupToken}\n` +
        `(or add a user in a terminal: ferry users add NAME --role admin --config ${o.config})\n\n`,
    );
  }
  await extras.afterStart?.(url, server);
  await stopped;
  process.stdout.write('Stopping the Console (a run in progress stops gracefully) …\n');
  await server.close();
}

/** Runs the Console of every connection of a deployment (src/server/deployment.ts) until SIGINT/SIGTERM. */
async function serveDeployment(deployment: Deployment, o: ServeFlags): Promise<void> {
  const { port, server: settings } = listenSettings(o);
  const { createDeploymentConsole } = await import('../../server/deployment.js');
  const server = await createDeploymentConsole({ deployment, ...settings });
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const address = await server.listen(o.host, port);
  server.start();
  const url = o.publicUrl ?? address;
  process.stdout.write(`Ferry Console: ${url} (Ctrl-C to stop), ${server.consoles.size} of ${deployment.connections.length} connections served\n`);
  for (const c of server.connections()) process.stdout.write(`  ${c.name.padEnd(20)} ${c.error ? `NOT SERVED: ${c.error}` : `${c.pimUrl ?? ''}  ←  ${c.erp ?? ''}`}\n`);
  if (server.auth.countUsers() === 0) {
    // The first-run wizard writes one ferry.yaml; a deployment is written by hand, so its first admin is added in a terminal.
    process.stdout.write(`No user yet: ferry users add NAME --role admin --config ${o.config}\n`);
  }
  await stopped;
  process.stdout.write('Stopping the Console (runs in progress stop gracefully) …\n');
  await server.close();
}

/**
 * The configuration a Console runs on before the wizard wrote ferry.yaml: the state where the
 * written file will put it (./data/ferry.db beside the file), a PIM and an ERP nobody can reach.
 */
function placeholderConfig(file: string): FerryConfig {
  const dir = configBaseDir(file);
  return ferryConfigSchema.parse({
    pim: { url: 'http://127.0.0.1:9', token: 'not-configured-yet' },
    erp: { type: 'demo', path: join(dir, 'data', 'demo-erp.sqlite') },
    state: { path: join(dir, 'data', 'ferry.db') },
  });
}

/** A demo admin with a generated password, printed once (the hash alone is stored). */
async function ensureDemoUser(server: Awaited<ReturnType<typeof createConsole>>): Promise<void> {
  if (server.ctx.auth.findUserByName('demo')) {
    process.stdout.write(`Sign in as "demo" with the password printed the first time (ferry users passwd demo --state ${server.ctx.config.state.path} sets a new one).\n`);
    return;
  }
  const password = randomBytes(12).toString('base64url');
  await server.ctx.auth.addUser('demo', 'admin', password);
  server.ctx.audit.record('system', 'user.create', 'user:demo', { role: 'admin', demo: true });
  process.stdout.write(`Sign in as "demo" with the password ${password} (shown this once).\n`);
}

export function registerServeCommand(program: Command): void {
  withConfigOption(
    program
      .command('serve')
      .description('Serve the Ferry Console: the web app, its API, the scheduler and notifications.')
      .option('--host <address>', 'address to listen on', '127.0.0.1')
      .option('--port <n>', 'port to listen on', '8080')
      .option('--demo', 'allow starting without any user: creates a demo admin and prints its password once')
      .option('--trust-proxy', 'behind an https reverse proxy: trust its X-Forwarded-* headers')
      .option('--public-url <url>', "the Console's address as people reach it (links in notifications)")
      .option('--tls-cert <file>', 'serve https with this certificate (PEM)')
      .option('--tls-key <file>', 'the private key of --tls-cert (PEM)')
      .option('--quickstart', 'the Quick start (sandbox PIM, demo ERP, first sync), then the Console on it (npm start)')
      .option('--items <n>', 'with --quickstart: items in the generated demo ERP', '500')
      .option('--data <dir>', 'with --quickstart: where the demo ERP and the state live', './data'),
  ).action(async (o: ServeFlags) => {
    const deployment = !o.quickstart && existsSync(o.config) ? await loadDeployment(o.config) : null;
    if (deployment) {
      // --connection NAME: that connection alone, still with the deployment's users.
      await serveDeployment(o.connection === undefined ? deployment : { ...deployment, connections: [pickConnection(deployment, o.connection)] }, o);
      return;
    }
    if (!o.quickstart) {
      // No ferry.yaml yet: the first-run wizard writes it; until then a placeholder keeps the server's pieces standing.
      const config = existsSync(o.config) ? await configFrom(o) : placeholderConfig(o.config);
      if (!existsSync(o.config)) process.stdout.write(`No ${o.config} here yet: the setup wizard in the Console will write it.\n`);
      await serveConsole(config, o, {
        configFile: o.config,
        connectionName: basename(o.config),
        demo: o.demo === true,
        ...(o.demo ? { afterStart: async (_url: string, server: Awaited<ReturnType<typeof createConsole>>) => ensureDemoUser(server) } : {}),
      });
      return;
    }
    const items = Number(o.items);
    if (!Number.isInteger(items) || items < 1) throw new UserError(`--items ${o.items} is not a positive whole number.`);
    await runQuickstart({
      items,
      dataDir: o.data ?? './data',
      say: (line) => process.stdout.write(`${line}\n`),
      onReport: (r) => process.stdout.write(`${formatReport(r)}\n${summaryLine(r)}\n`),
      whileUp: (config) =>
        serveConsole(config, o, {
          connectionName: 'Quick start demo',
          demo: true,
          afterStart: async (_url, server) => {
            await ensureDemoUser(server);
            if (server.ctx.schedules.list().length === 0) {
              const s = server.ctx.schedules.create({ name: 'Nightly', spec: { kind: 'nightly', hour: 2, minute: 0 }, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', mode: 'delta', enabled: true });
              server.ctx.audit.record('system', 'schedule.create', `schedule#${s.id}`, { name: s.name, demo: true });
            }
            const next = server.ctx.scheduler.nextDue();
            if (next) process.stdout.write(`Schedule "${next.schedule.name}": next run ${next.at.toISOString()}.\n`);
          },
        }),
    });
  });
}
