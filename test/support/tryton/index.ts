/**
 * A real Tryton 6.0 for tests and benchmarks: its own SQLite database in a temp dir, the
 * product modules activated with trytond-admin, our seed catalogue loaded in-process, and
 * trytond listening on 127.0.0.1 on a free port.
 *
 * Initialising a database takes ~12 s, so initialised files are cached under
 * os.tmpdir()/ferry-tryton-cache: the bare database keyed by the module list, the seeded
 * one keyed by the hash of scripts/tryton/seed.py and its arguments. Later suites copy the
 * file (milliseconds). A lock directory keeps parallel suites from building the same file twice.
 *
 *   const tryton = await startTryton({ seed: 'catalogue' });
 *   … createTrytonSource({ type: 'tryton', url: tryton.url, … }) …
 *   await tryton.close();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SEED_SCRIPT = path.join(REPO_ROOT, 'scripts/tryton/seed.py');
const PYTHON = '/usr/bin/python3';
export const TRYTON_MODULES = ['product', 'product_attribute', 'product_classification', 'product_measurements', 'stock', 'product_price_list'];
export const TRYTON_LANGUAGES = ['de', 'fr', 'es'];
const CACHE_DIR = path.join(os.tmpdir(), 'ferry-tryton-cache');
const DATABASE = 'ferry';

export interface StartTrytonOptions {
  /** 'catalogue' (default): Ferry's generated test catalogue; 'none': company only. */
  seed?: 'catalogue' | 'none';
  /** Keep generating templates until at least this many variants exist (benchmarks). */
  variants?: number;
  /** Also load ../shared/data/adventureworks when present. */
  adventureworks?: boolean;
  /**
   * [session] max_age in seconds (default 30 days): a session older than this is refused
   * with HTTP 401 on every call. ([session] timeout only guards "fresh session" methods.)
   */
  sessionMaxAgeSeconds?: number;
}

export interface RunningTryton {
  url: string;
  database: string;
  username: string;
  password: string;
  languages: string[];
  /** What the seed script reported (counts, the archived SKU, the edited template…). */
  seedSummary: Record<string, unknown>;
  /** The trytond.conf and the database file, for tests that write to the DB in-process. */
  configPath: string;
  databasePath: string;
  close(): Promise<void>;
}

/** Why Tryton cannot run here, or null when it can. */
export function trytonUnavailableReason(): string | null {
  for (const bin of ['trytond', 'trytond-admin']) {
    const found = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
    if (found.status !== 0) return `${bin} is not in PATH (install tryton-server and the product modules from Debian, see .ci/run)`;
  }
  if (!existsSync(PYTHON)) return `${PYTHON} is missing (Debian's python runs the seed script)`;
  const probe = spawnSync(PYTHON, ['-c', 'import trytond.modules.product_attribute, trytond.modules.product_measurements, trytond.modules.product_classification, trytond.modules.product_price_list, trytond.modules.stock'], {
    encoding: 'utf8',
  });
  if (probe.status !== 0) return 'a Tryton product module is missing (tryton-modules-product-attribute, -measurements, -classification, -price-list, -stock)';
  return null;
}

function hash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 16);
}

function trytonVersion(): string {
  try {
    return readFileSync('/usr/lib/python3/dist-packages/trytond/__init__.py', 'utf8').match(/__version__\s*=\s*['"]([^'"]+)/)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function configText(dbDir: string, port: number, sessionMaxAge: number): string {
  return [
    '[database]',
    'uri = sqlite://',
    `path = ${dbDir}`,
    'language = en',
    '[web]',
    `listen = 127.0.0.1:${port}`,
    `root = ${path.join(dbDir, 'no-web-client')}`,
    '[session]',
    `max_age = ${sessionMaxAge}`,
    'max_attempt = 50',
    '',
  ].join('\n');
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${what} failed (exit ${code}): ${err.split('\n').filter(Boolean).slice(-8).join('\n')}`));
    });
  });
}

/** Builds `target` with `build(tmpFile)` once across processes (lock dir + atomic rename). */
async function cached(target: string, build: (tmpFile: string) => Promise<void>): Promise<void> {
  mkdirSync(path.dirname(target), { recursive: true });
  const lock = `${target}.lock`;
  const deadline = Date.now() + 300_000;
  while (!existsSync(target)) {
    try {
      mkdirSync(lock);
    } catch {
      // Someone else builds it; take over a lock left by a killed process.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 180_000) await rm(lock, { recursive: true, force: true });
      } catch {
        /* lock vanished meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${target} to be built by another process (remove ${lock})`);
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      if (existsSync(target)) break;
      const tmp = `${target}.${process.pid}.tmp`;
      await build(tmp);
      await rename(tmp, target);
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
}

async function initialisedDatabase(): Promise<string> {
  const key = hash('init', trytonVersion(), TRYTON_MODULES.join(','), TRYTON_LANGUAGES.join(','));
  const target = path.join(CACHE_DIR, `base-${key}.sqlite`);
  await cached(target, async (tmpFile) => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'ferry-tryton-init-'));
    try {
      const dbDir = path.join(work, 'db');
      await mkdir(dbDir);
      // The SQLite backend refuses a missing file ("Database … doesn't exist!").
      await writeFile(path.join(dbDir, `${DATABASE}.sqlite`), '');
      await writeFile(path.join(work, 'passfile'), 'admin\n');
      const conf = path.join(work, 'trytond.conf');
      await writeFile(conf, configText(dbDir, 0, 30 * 24 * 3600));
      await run(
        'trytond-admin',
        ['-c', conf, '-d', DATABASE, '--email', 'admin@example.com', '--activate-dependencies', '-l', ...TRYTON_LANGUAGES, '-u', ...TRYTON_MODULES],
        { ...process.env, TRYTONPASSFILE: path.join(work, 'passfile'), TZ: 'UTC' },
        'trytond-admin (database initialisation)',
      );
      await copyFile(path.join(dbDir, `${DATABASE}.sqlite`), tmpFile);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
  return target;
}

function adventureworksDir(): string | null {
  const dir = path.resolve(REPO_ROOT, '../shared/data/adventureworks');
  return existsSync(path.join(dir, 'Product.csv')) ? dir : null;
}

async function seededDatabase(options: StartTrytonOptions): Promise<{ file: string; summary: Record<string, unknown> }> {
  const base = await initialisedDatabase();
  const seed = options.seed ?? 'catalogue';
  const aw = options.adventureworks ? adventureworksDir() : null;
  const args = ['--seed', seed, '--variants', String(options.variants ?? 0), ...(aw ? ['--adventureworks', aw] : [])];
  const key = hash('seed', path.basename(base), await readFile(SEED_SCRIPT, 'utf8'), args.join(' '));
  const target = path.join(CACHE_DIR, `seeded-${key}.sqlite`);
  const summaryFile = `${target}.json`;
  await cached(target, async (tmpFile) => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'ferry-tryton-seed-'));
    try {
      const dbDir = path.join(work, 'db');
      await mkdir(dbDir);
      await copyFile(base, path.join(dbDir, `${DATABASE}.sqlite`));
      const conf = path.join(work, 'trytond.conf');
      await writeFile(conf, configText(dbDir, 0, 30 * 24 * 3600));
      const out = await run(PYTHON, ['-W', 'ignore', SEED_SCRIPT, '--config', conf, '--database', DATABASE, ...args], { ...process.env, TZ: 'UTC' }, 'seeding the Tryton database');
      await writeFile(summaryFile, out.trim().split('\n').pop() ?? '{}');
      await copyFile(path.join(dbDir, `${DATABASE}.sqlite`), tmpFile);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
  let summary: Record<string, unknown> = {};
  try {
    summary = JSON.parse(await readFile(summaryFile, 'utf8')) as Record<string, unknown>;
  } catch {
    /* summary is informative only */
  }
  return { file: target, summary };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForServer(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`trytond exited with code ${child.exitCode}: ${stderr().split('\n').slice(-6).join('\n')}`);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 0, method: 'common.server.version', params: [] }),
        signal: AbortSignal.timeout(1000),
      });
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`trytond did not answer on ${url} within 30 s: ${stderr().split('\n').slice(-6).join('\n')}`);
}

export async function startTryton(options: StartTrytonOptions = {}): Promise<RunningTryton> {
  const reason = trytonUnavailableReason();
  if (reason) throw new Error(`Tryton is not available: ${reason}`);
  const { file, summary } = await seededDatabase(options);
  const work = await mkdtemp(path.join(os.tmpdir(), 'ferry-tryton-'));
  const dbDir = path.join(work, 'db');
  await mkdir(dbDir);
  const databasePath = path.join(dbDir, `${DATABASE}.sqlite`);
  await copyFile(file, databasePath);
  const configPath = path.join(work, 'trytond.conf');
  let child: ChildProcess | null = null;
  let url = '';
  for (let attempt = 0; attempt < 3 && !child; attempt++) {
    const port = await freePort();
    await writeFile(configPath, configText(dbDir, port, options.sessionMaxAgeSeconds ?? 30 * 24 * 3600));
    const proc = spawn('trytond', ['-c', configPath], { env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr?.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-20_000);
    });
    url = `http://127.0.0.1:${port}/`;
    try {
      await waitForServer(url, proc, () => err);
      child = proc;
    } catch (error) {
      proc.kill('SIGKILL');
      if (attempt === 2 || !/Address already in use/i.test(err)) {
        await rm(work, { recursive: true, force: true });
        throw error;
      }
    }
  }
  const running = child!;
  // A crashed or interrupted test run must not leave trytond behind.
  const killOnExit = (): void => {
    if (running.exitCode === null) running.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  let closed = false;
  return {
    url,
    database: DATABASE,
    username: 'admin',
    password: 'admin',
    languages: ['en', ...TRYTON_LANGUAGES],
    seedSummary: summary,
    configPath,
    databasePath,
    async close() {
      if (closed) return;
      closed = true;
      process.removeListener('exit', killOnExit);
      if (running.exitCode === null) {
        const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
        running.kill('SIGTERM');
        const timer = setTimeout(() => running.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      await rm(work, { recursive: true, force: true });
    },
  };
}
