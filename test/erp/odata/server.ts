/**
 * A real OData server for the tests: SAP CAP (@sap/cds 9, devDependency only — SAP developer
 * licence, never shipped) serving an S/4-shaped API_PRODUCT_SRV from in-memory SQLite at
 * /odata/v4/API_PRODUCT_SRV, and the same service as OData v2 through
 * @cap-js-community/odata-v2-adapter at /odata/v2/API_PRODUCT_SRV. Loaded with AdventureWorks
 * (catalog.ts). Bound to 127.0.0.1 on a random port.
 *
 * It also serves a Business Central-shaped API v2.0 (companies, items, itemVariants,
 * itemCategories; bc-catalog.ts) at /odata/v4/bc/api/v2.0, loaded when the test passes a BC catalogue.
 *
 * Around the real server, a few test-only controls: queue 429/503 answers with Retry-After, an
 * OAuth 2.0 client-credentials token endpoint whose bearer tokens the server accepts, a log of
 * the request URLs, and SAP's CSRF protection on the S/4 service (writes need the token a
 * `x-csrf-token: fetch` GET handed out, with the session cookie of that GET; otherwise
 * 403 `x-csrf-token: Required`, as SAP Gateway answers). CAP runs once per process (it is a singleton): one server per test file.
 *
 * When CAP is not installed or cannot start, tests skip with a message; under CI=true they fail.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import type { BcCatalog } from './bc-catalog.js';
import type { Catalog } from './catalog.js';

export const IN_CI = process.env.CI === 'true';
export const CAP_DIR = resolve(import.meta.dirname, 'cap');
export const USER = 'CONNECTOR';
export const PASSWORD = 'Welcome1';
export const OAUTH_CLIENT = 'ferry-client';
export const OAUTH_SECRET = 'client-secret-42';

export interface ODataTestServer {
  origin: string;
  v2: string;
  v4: string;
  /** Business Central API v2.0 root (companies, items, …). */
  bc: string;
  tokenUrl: string;
  /** Writes seen by the S/4 service: method, path, and whether a valid CSRF token came with it. */
  writes: { method: string; path: string; csrf: 'valid' | 'missing' | 'invalid' }[];
  /** Writes seen by the Business Central API: method, path, and the If-Match header sent. */
  bcWrites: { method: string; path: string; ifMatch: string | null }[];
  /** Runs once before the next Business Central write reaches CAP (a concurrent change in BC). */
  beforeNextBcWrite(fn: () => Promise<unknown>): void;
  /** Every CSRF token handed out so far stops being accepted (a session that timed out). */
  expireCsrfTokens(): void;
  /** Paths and queries of the OData requests seen (decoded), oldest first. */
  requests: string[];
  /** The next `count` OData requests get `status` with Retry-After: `retryAfter` (seconds). */
  failNext(count: number, status: 429 | 503, retryAfter: string): void;
  /** Every bearer token issued so far stops being accepted (an expired token). */
  expireTokens(): void;
  /** Runs CQL on the database: `db.run(UPDATE(...))`; the `cds` facade is passed for its ql helpers. */
  db(fn: (cds: Cds, db: CdsDb) => Promise<unknown>): Promise<unknown>;
  close(): Promise<void>;
}

/** The slice of @sap/cds the tests use (CAP's own types need extra packages). */
export interface CdsDb {
  run(query: unknown): Promise<unknown>;
}
export interface Cds {
  root: string;
  env: { requires: Record<string, unknown> };
  log(id: string, level: string): unknown;
  model: unknown;
  load(files: string[]): Promise<unknown>;
  compile: { for: { nodejs(csn: unknown): unknown }; to: { edmx(csn: unknown, o: Record<string, unknown>): Promise<string> | string } };
  connect: { to(name: string): Promise<CdsDb> };
  deploy(csn: unknown): { to(db: CdsDb): Promise<unknown> };
  serve(what: string): { from(csn: unknown): { in(app: unknown): Promise<unknown> } };
  ql: {
    INSERT: { into(entity: string): { entries(rows: unknown[]): unknown } };
    UPDATE: (entity: string) => { set(values: Record<string, unknown>): { where(w: Record<string, unknown>): unknown } };
    DELETE: { from(entity: string): { where(w: Record<string, unknown>): unknown } };
  };
}

/** Why the server cannot run here, or null. */
export async function capProblem(): Promise<string | null> {
  try {
    await import('@sap/cds');
    await import('@cap-js/sqlite');
    await import('@cap-js-community/odata-v2-adapter');
    return null;
  } catch (error) {
    return `SAP CAP (@sap/cds, @cap-js/sqlite, @cap-js-community/odata-v2-adapter devDependencies) is not installed (run npm ci): ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Whether the OData tests run; logs why not, and throws under CI=true. */
export function serverGate(problem: string | null): boolean {
  if (!problem) return true;
  if (IN_CI) throw new Error(`CI=true but ${problem}`);
  console.warn(`[skip] ${problem}; the OData tests are skipped.`);
  return false;
}

/**
 * Starts the server when it can run here; otherwise says why (skip) or, under CI=true, throws.
 * Call it at the top level of a test file and gate the suite on the result.
 */
export async function startIfPossible(catalog: Catalog, bcCatalog?: BcCatalog): Promise<ODataTestServer | null> {
  const problem = await capProblem();
  if (problem) {
    serverGate(problem);
    return null;
  }
  try {
    return await startODataServer(catalog, bcCatalog);
  } catch (error) {
    serverGate(`the CAP OData server did not start: ${(error as Error).message.split('\n')[0]}`);
    return null;
  }
}

export async function startODataServer(catalog: Catalog, bcCatalog?: BcCatalog): Promise<ODataTestServer> {
  const cds = (await import('@sap/cds')).default as unknown as Cds;
  const express = (await import('express')).default;
  const cov2ap = (await import('@cap-js-community/odata-v2-adapter')).default as (o: Record<string, unknown>) => import('express').RequestHandler;

  cds.root = CAP_DIR;
  cds.env.requires.db = { kind: 'sqlite', impl: '@cap-js/sqlite', credentials: { url: ':memory:' } };
  cds.env.requires.auth = { kind: 'basic', users: { [USER]: { password: PASSWORD } } };
  for (const name of ['cds', 'serve', 'odata', 'sqlite', 'cov2ap', 'cov2ap/hpm', 'deploy', 'auth', 'basic']) cds.log(name, 'error');

  const csn = await cds.load([resolve(CAP_DIR, 'db'), resolve(CAP_DIR, 'srv')]);
  cds.model = cds.compile.for.nodejs(csn);
  const db = await cds.connect.to('db');
  await cds.deploy(csn).to(db);
  const chunk = 2000;
  const load = async (entity: string, rows: unknown[]): Promise<void> => {
    for (let i = 0; i < rows.length; i += chunk) await db.run(cds.ql.INSERT.into(entity).entries(rows.slice(i, i + chunk)));
  };
  await load('s4.A_Product', catalog.products);
  await load('s4.A_ProductDescription', catalog.descriptions);
  await load('s4.A_ProductBasicText', catalog.basicTexts);
  if (bcCatalog) {
    await load('bc.companies', bcCatalog.companies);
    await load('bc.itemCategories', bcCatalog.categories);
    await load('bc.items', bcCatalog.items);
    await load('bc.itemVariants', bcCatalog.variants);
  }

  const requests: string[] = [];
  const faults: { count: number; status: number; retryAfter: string } = { count: 0, status: 429, retryAfter: '1' };
  const tokens = new Set<string>();
  const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const app = express();
  app.post('/oauth/token', express.urlencoded({ extended: false }), (req, res) => {
    const body = req.body as Record<string, string>;
    if (body.grant_type !== 'client_credentials' || body.client_id !== OAUTH_CLIENT || body.client_secret !== OAUTH_SECRET) {
      res.status(401).json({ error: 'invalid_client' });
      return;
    }
    const token = randomBytes(16).toString('hex');
    tokens.add(token);
    res.json({ access_token: token, token_type: 'Bearer', expires_in: 3600 });
  });
  app.use('/odata', (req, res, next) => {
    // The v2 adapter forwards each v2 request to the v4 service: count and fault it once.
    if (req.headers['x-cds-odata-version'] === 'v2' && req.originalUrl.startsWith('/odata/v4/')) {
      next();
      return;
    }
    requests.push(decodeURIComponent(req.originalUrl));
    if (faults.count > 0) {
      faults.count--;
      res.status(faults.status).set('Retry-After', faults.retryAfter).send('slow down');
      return;
    }
    // Bearer tokens from our token endpoint stand for the technical user.
    const auth = req.headers.authorization ?? '';
    if (/^bearer /i.test(auth)) {
      if (!tokens.has(auth.slice(7).trim())) {
        res.status(401).set('WWW-Authenticate', 'Bearer error="invalid_token"').send('token expired');
        return;
      }
      req.headers.authorization = basic;
    }
    next();
  });
  const bcWrites: ODataTestServer['bcWrites'] = [];
  let beforeBcWrite: (() => Promise<unknown>) | null = null;
  app.use('/odata/v4/bc', (req, _res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      next();
      return;
    }
    const ifMatch = req.headers['if-match'];
    bcWrites.push({ method: req.method, path: decodeURIComponent(req.originalUrl), ifMatch: typeof ifMatch === 'string' ? ifMatch : null });
    const hook = beforeBcWrite;
    beforeBcWrite = null;
    if (hook) hook().then(() => next(), next);
    else next();
  });
  // SAP's CSRF protection, on the S/4 service only (Business Central has none): a GET with
  // `x-csrf-token: fetch` opens a session (cookie) and hands out its token; a write must bring both.
  const csrfTokens = new Map<string, string>();
  const writes: ODataTestServer['writes'] = [];
  app.use(/^\/odata\/v[24]\/API_PRODUCT_SRV/, (req, res, next) => {
    if (req.headers['x-cds-odata-version'] === 'v2' && req.originalUrl.startsWith('/odata/v4/')) {
      next();
      return;
    }
    const session = /(?:^|;\s*)SAP_SESSIONID=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const sent = req.headers['x-csrf-token'];
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (typeof sent === 'string' && sent.toLowerCase() === 'fetch') {
        const id = session && csrfTokens.has(session) ? session : randomBytes(12).toString('hex');
        const token = csrfTokens.get(id) ?? randomBytes(16).toString('base64url');
        csrfTokens.set(id, token);
        res.set('x-csrf-token', token);
        res.append('Set-Cookie', `SAP_SESSIONID=${id}; Path=/; HttpOnly`);
        res.append('Set-Cookie', `sap-usercontext=sap-client=100; Path=/`);
      }
      next();
      return;
    }
    const valid = session !== undefined && typeof sent === 'string' && csrfTokens.get(session) === sent;
    writes.push({ method: req.method, path: decodeURIComponent(req.originalUrl), csrf: valid ? 'valid' : sent ? 'invalid' : 'missing' });
    if (!valid) {
      res.status(403).set('x-csrf-token', 'Required').type('text/plain').send('CSRF token validation failed');
      return;
    }
    next();
  });
  // The adapter's own $metadata route fails under vitest (ERR_INVALID_ARG_TYPE in its respond());
  // serve the same document it would: CAP's v2 EDMX compiled from the model.
  const v2Metadata = String(await cds.compile.to.edmx(cds.model, { service: 'API_PRODUCT_SRV', version: 'v2' }));
  app.use((req, res, next) => {
    if (req.method !== 'GET' || req.path !== '/odata/v2/API_PRODUCT_SRV/$metadata') next();
    else if (req.headers.authorization !== basic) res.status(401).set('WWW-Authenticate', 'Basic realm="SAP"').send('Unauthorized');
    else res.type('application/xml').send(v2Metadata);
  });
  await cds.serve('all').from(csn).in(app);
  const server: Server = await new Promise((ok) => {
    const s = app.listen(0, '127.0.0.1', () => ok(s));
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  app.use(cov2ap({ target: origin, path: 'odata/v2', registerOnListening: false, model: [resolve(CAP_DIR, 'db'), resolve(CAP_DIR, 'srv')] }));


  return {
    origin,
    v2: `${origin}/odata/v2/API_PRODUCT_SRV`,
    v4: `${origin}/odata/v4/API_PRODUCT_SRV`,
    bc: `${origin}/odata/v4/bc/api/v2.0`,
    writes,
    bcWrites,
    beforeNextBcWrite(fn) {
      beforeBcWrite = fn;
    },
    expireCsrfTokens() {
      csrfTokens.clear();
    },
    tokenUrl: `${origin}/oauth/token`,
    requests,
    failNext(count, status, retryAfter) {
      Object.assign(faults, { count, status, retryAfter });
    },
    expireTokens() {
      tokens.clear();
    },
    db: (fn) => fn(cds, db),
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
