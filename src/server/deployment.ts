/**
 * `ferry serve` over a deployment of several connections (issue 18 point 5, docs/operations.md
 * "Several connections"): one process, one listening socket, and behind it one ordinary Console
 * (createConsole: its own run manager, scheduler, notifier, runs and state) per connection.
 *
 * Each request is handed to one connection's Console, chosen by the X-Ferry-Connection header,
 * else `?connection=NAME`, else the `ferry_connection` cookie the header's switcher sets, else
 * the first connection that started. So the web app and the API keep their URLs: nothing below
 * /api/v1 knows there are several. Users and sessions are the deployment's: every Console is
 * given the same AuthStore, on its own SQLite file (`users.path`, default ./data/console.db).
 *
 * A connection whose config does not load or whose Console cannot start is listed with its
 * error and never stops the others from starting, running or firing their schedules.
 */
import { mkdirSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { ConfigError } from '../config/load.js';
import { connectionConfig, describeErp, type Deployment } from '../config/deployment.js';
import { scrubSecrets } from '../logging.js';
import { CONNECTION_COOKIE, CONNECTION_HEADER, CONNECTION_QUERY, type Deployment as DeploymentView } from './api/contract.js';
import { createConsole, type ConsoleOptions, type ConsoleServer } from './app.js';
import { AuthStore } from './store/auth-store.js';
import { openConsoleDb, type ConsoleDb } from './store/db.js';
import { stateConfigSchema } from '../sync/config.js';
import { openStateStore } from '../sync/index.js';

export interface DeploymentConsoleOptions extends Omit<ConsoleOptions, 'config' | 'configFile' | 'connectionName' | 'auth' | 'deployment'> {
  deployment: Deployment;
}

export interface DeploymentConsole {
  /** The Consoles that started, by connection name. */
  consoles: Map<string, ConsoleServer>;
  /** Every connection, with the error of those that did not start. */
  connections(): DeploymentView['connections'];
  auth: AuthStore;
  /** Listens (port 0: a free one) and resolves to its address. */
  listen(host: string, port: number): Promise<string>;
  server: Server;
  start(): void;
  close(): Promise<void>;
}

function problemText(err: unknown): string {
  if (err instanceof ConfigError) return `${err.file}: ${err.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`;
  return scrubSecrets(err instanceof Error ? err.message : String(err));
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** The connection a request names, and whether it named it on purpose (header, query) or by the switcher's cookie. */
export function requestedConnection(req: Pick<IncomingMessage, 'headers' | 'url'>): { name: string; explicit: boolean } | null {
  const header = req.headers[CONNECTION_HEADER];
  if (typeof header === 'string' && header !== '') return { name: header, explicit: true };
  const query = new URL(req.url ?? '/', 'http://x').searchParams.get(CONNECTION_QUERY);
  if (query) return { name: query, explicit: true };
  const cookie = cookieValue(req.headers.cookie, CONNECTION_COOKIE);
  return cookie ? { name: cookie, explicit: false } : null;
}

const SIGN_IN_PATH = '/api/v1/session';

function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ error: { code, message } }));
}

/**
 * The deployment's users and sessions file. It is a Console database like a connection's (the
 * same console_* migrations, which index the engine's tables, so those are created first, empty).
 */
export async function openUsersDb(path: string): Promise<ConsoleDb> {
  mkdirSync(dirname(path), { recursive: true });
  await (await openStateStore(stateConfigSchema.parse({ path }))).close();
  return openConsoleDb(path);
}

export async function createDeploymentConsole(options: DeploymentConsoleOptions): Promise<DeploymentConsole> {
  const { deployment, ...common } = options;
  const usersDb = await openUsersDb(deployment.usersPath);
  const auth = new AuthStore(usersDb, common.clock ?? Date.now);
  const consoles = new Map<string, ConsoleServer>();
  const listed: DeploymentView['connections'] = [];
  const view = { connections: () => listed.map((c) => ({ ...c })) };

  for (const src of deployment.connections) {
    const name = src.name!;
    const line = { name, pimUrl: null as string | null, erp: null as string | null, error: null as string | null };
    listed.push(line);
    try {
      const config = connectionConfig(src, common.env ?? process.env);
      line.pimUrl = config.pim.url;
      line.erp = describeErp(config.erp);
      const server = await createConsole({
        ...common,
        config,
        connectionName: name,
        // The Console edits a connection's own file; an inline one is edited in the deployment file by hand.
        ...(src.keyPrefix === '' ? { configFile: src.file } : {}),
        auth,
        deployment: view,
      });
      await server.app.ready();
      consoles.set(name, server);
    } catch (err) {
      line.error = problemText(err);
      common.logger?.error({ connection: name, err: line.error }, 'this connection is not served; the others are');
    }
  }
  if (consoles.size === 0) {
    usersDb.close();
    throw new Error(`none of the connections of ${deployment.file} could start:\n${listed.map((l) => `  - ${l.name}: ${l.error ?? ''}`).join('\n')}`);
  }
  const fallback = [...consoles.keys()][0]!;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    // Signing in is the deployment's, not a connection's: always the same Console, so its attempt
    // limit (10 a minute per address) cannot be multiplied by naming each connection in turn.
    if (req.method === 'POST' && (req.url ?? '').split('?')[0] === SIGN_IN_PATH) return consoles.get(fallback)!.app.routing(req, res);
    const asked = requestedConnection(req);
    let name = asked?.name ?? fallback;
    if (!consoles.has(name)) {
      const known = listed.find((l) => l.name === name);
      // Named on purpose (an API client, an event subscription): say why, never answer for another connection.
      if (asked?.explicit) {
        // Answered before sign-in, so the why (file names, key paths) is left to GET /api/v1/deployment, which needs a session.
        if (known) return refuse(res, 503, 'connection_unavailable', `connection ${name} is not served (its configuration or state did not load); the Console's header and GET /api/v1/deployment say why, and ferry serve printed it`);
        // The names are not listed to whoever asks (they may be customers'): signed in, GET /api/v1/deployment lists them.
        return refuse(res, 404, 'unknown_connection', `no connection "${name}" in this Console; GET /api/v1/deployment (signed in) lists its connections`);
      }
      // A stale cookie (a connection removed or broken since): the first one that runs.
      name = fallback;
    }
    consoles.get(name)!.app.routing(req, res);
  };
  const server: Server = common.https ? createHttpsServer(common.https, handle) : createHttpServer(handle);

  return {
    consoles,
    connections: view.connections,
    auth,
    server,
    listen: (host, port) =>
      new Promise((resolveAddress, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const a = server.address() as AddressInfo;
          resolveAddress(`${common.https ? 'https' : 'http'}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`);
        });
      }),
    start() {
      for (const c of consoles.values()) c.start();
    },
    async close() {
      const closed = new Promise<void>((done) => server.close(() => done()));
      // Browsers keep connections open; they would hold close() up for minutes.
      server.closeAllConnections();
      await closed;
      // Each closes on its own: one that fails to close does not keep the others' runs from stopping.
      await Promise.allSettled([...consoles.values()].map((c) => c.close()));
      usersDb.close();
    },
  };
}
