/**
 * Several connections (tenants) in one deployment (issue 18, point 5).
 *
 * A deployment file is a ferry.yaml whose only top-level key is `connections:` (an ordinary
 * ferry.yaml has `pim:`/`erp:` instead, so the two cannot be confused):
 *
 *   connections:
 *     shop-a: { pim: …, erp: …, mapping: … }   # inline: an ordinary config, key paths `connections.shop-a.…`
 *     shop-b: connections/shop-b.yaml          # a file: an ordinary ferry.yaml of its own
 *   # or   connections: connections/           # a folder: each <name>.yaml is one connection
 *
 * Every command resolves the connection it acts on here, once (`resolveConnection`): the result
 * is the connection's raw YAML, the file it lives in and the key-path prefix its problems carry,
 * so the section loaders (pim, erp, state, the whole config) stay what they were. A single
 * ferry.yaml resolves to itself, unchanged.
 *
 * Each connection gets its own state unless it names one: `./data/<name>.db` beside its file,
 * or with `state.url` (PostgreSQL) the schema `ferry_<name>`. Two connections naming the same
 * state are refused (their locks and watermarks would mix).
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, DEFAULT_CONFIG_FILE, describeIssues, interpolateAndValidate, parseYaml, readConfigFile, type ConfigProblem } from './load.js';
import { configBaseDir, resolveConfigPaths, type ResolvedPath } from './paths.js';
import { ferryConfigSchema, type FerryConfig } from './schema.js';

/** Names go into cookies, query strings, file names and PostgreSQL schema names. */
const CONNECTION_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const NAME_RULE = 'lower-case letters, digits, - and _ (at most 40, starting with a letter or digit)';

const deploymentSchema = z
  .object({
    connections: z.union([
      z.string().min(1).describe('a folder: each <name>.yaml in it is one connection (an ordinary ferry.yaml)'),
      z.record(z.string(), z.union([z.string().min(1), z.record(z.string(), z.unknown())])).describe('name → an inline config, or the path of its ferry.yaml'),
    ]),
    /** Where the Console's users and sessions live, shared by every connection (relative to this file). */
    users: z.object({ path: z.string().min(1).default('./data/console.db') }).strict().prefault({}),
  })
  .strict();

/** One connection of a deployment, before its sections are validated. */
export interface ConnectionSource {
  /** null: a single-connection ferry.yaml. */
  name: string | null;
  /** The file the connection's text lives in (the deployment file for an inline one). */
  file: string;
  /** The connection's own config as parsed YAML (an ordinary ferry.yaml's shape). */
  raw: Record<string, unknown>;
  /** '' for a file of its own, `connections.<name>` for an inline connection: prefixes every key path. */
  keyPrefix: string;
  /** What its relative paths are relative to. */
  baseDir: string;
}

export interface Deployment {
  file: string;
  /** In the order written (a folder: by name). */
  connections: ConnectionSource[];
  /** The SQLite file of the Console's users and sessions. */
  usersPath: string;
}

/** `state`, `pim`, … as a key path of this connection (what its problems are named by). */
export function sectionKey(src: Pick<ConnectionSource, 'keyPrefix'>, section: string): string {
  return src.keyPrefix === '' ? section : `${src.keyPrefix}.${section}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when the parsed file is a deployment (its top level names `connections:`). */
function isDeploymentRaw(raw: unknown): raw is Record<string, unknown> {
  return isRecord(raw) && 'connections' in raw;
}

/**
 * A connection's own state unless it names one: SQLite `./data/<name>.db`, or with a PostgreSQL
 * url and no schema, `ferry_<name>`. Done on the raw YAML, before defaults, to tell "not set" apart.
 */
function withOwnState(raw: Record<string, unknown>, name: string): Record<string, unknown> {
  const state = isRecord(raw.state) ? raw.state : {};
  if (state.url !== undefined) return state.schema !== undefined ? raw : { ...raw, state: { ...state, schema: `ferry_${name.replace(/-/g, '_')}` } };
  if (state.path !== undefined) return raw;
  return { ...raw, state: { ...state, path: `./data/${name}.db` } };
}

async function readRaw(file: string): Promise<unknown> {
  return parseYaml(await readConfigFile(file), file);
}

/** Parses the deployment file's own shape; problems name `connections.<name>`. */
function parseDeployment(raw: Record<string, unknown>, file: string): z.output<typeof deploymentSchema> {
  // Not interpolated here: each connection's `${ENV}` is resolved when that connection is loaded,
  // so a variable only one tenant needs does not stop the others.
  const result = deploymentSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(file, describeIssues(result.error.issues));
  return result.data;
}

async function loadDeploymentRaw(raw: Record<string, unknown>, file: string): Promise<Deployment> {
  const parsed = parseDeployment(raw, file);
  const dir = configBaseDir(file);
  const problems: ConfigProblem[] = [];
  const out: ConnectionSource[] = [];
  const add = async (name: string, key: string, entry: string | Record<string, unknown>) => {
    if (!CONNECTION_NAME.test(name)) {
      problems.push({ path: key, message: `"${name}" is not a connection name; use ${NAME_RULE}` });
      return;
    }
    if (typeof entry !== 'string') {
      out.push({ name, file, raw: withOwnState(entry, name), keyPrefix: key, baseDir: dir });
      return;
    }
    const own = isAbsolute(entry) ? entry : resolve(dir, entry);
    const ownRaw = await readRaw(own);
    if (!isRecord(ownRaw) || isDeploymentRaw(ownRaw)) {
      problems.push({ path: key, message: `${entry} is not an ordinary ferry.yaml (pim:, erp:, …); a deployment cannot include another deployment` });
      return;
    }
    out.push({ name, file: own, raw: withOwnState(ownRaw, name), keyPrefix: '', baseDir: configBaseDir(own) });
  };
  if (typeof parsed.connections === 'string') {
    const folder = resolve(dir, parsed.connections);
    let names: string[];
    try {
      names = readdirSync(folder).filter((f) => ['.yaml', '.yml'].includes(extname(f)) && statSync(join(folder, f)).isFile()).sort();
    } catch (err) {
      throw new ConfigError(file, [{ path: 'connections', message: `the folder ${folder} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); create it with one <name>.yaml per connection` }]);
    }
    for (const f of names) await add(basename(f, extname(f)), `connections.${basename(f, extname(f))}`, join(folder, f));
    if (names.length === 0 && problems.length === 0) problems.push({ path: 'connections', message: `the folder ${folder} holds no <name>.yaml; add one ferry.yaml per connection` });
  } else {
    for (const [name, entry] of Object.entries(parsed.connections)) await add(name, `connections.${name}`, entry);
    if (Object.keys(parsed.connections).length === 0) problems.push({ path: 'connections', message: 'empty; name at least one connection (name: its config or the path of its ferry.yaml)' });
  }
  problems.push(...sharedStates(out));
  if (problems.length > 0) throw new ConfigError(file, problems);
  return { file, connections: out, usersPath: resolve(dir, parsed.users.path) };
}

/** Two connections writing one state would share a lock and mix their watermarks: refused, naming both. */
function sharedStates(list: readonly ConnectionSource[]): ConfigProblem[] {
  const seen = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  for (const c of list) {
    const state = isRecord(c.raw.state) ? c.raw.state : {};
    // ${ENV} values are compared as written: a value known only at run time cannot be checked here.
    const where = typeof state.url === 'string' ? `${state.url}#${String(state.schema)}` : typeof state.path === 'string' ? resolve(c.baseDir, state.path) : null;
    if (where === null) continue;
    const other = seen.get(where);
    if (other !== undefined) problems.push({ path: sectionKey(c, 'state'), message: `the same state as ${other}; give each connection its own state.path (or state.schema)` });
    else seen.set(where, sectionKey(c, 'state'));
  }
  return problems;
}

/** The deployment a file describes, or null for an ordinary single-connection ferry.yaml. */
export async function loadDeployment(file = DEFAULT_CONFIG_FILE): Promise<Deployment | null> {
  const raw = await readRaw(file);
  return isDeploymentRaw(raw) ? loadDeploymentRaw(raw, file) : null;
}

/** Thrown when a command needs one connection and was not told which: lists the names. */
export class ConnectionChoiceError extends Error {
  constructor(
    readonly file: string,
    readonly names: string[],
    readonly given: string | undefined,
  ) {
    super(
      given === undefined
        ? `${file} holds ${names.length} connections (${names.join(', ')}); say which with --connection NAME.`
        : `${file} has no connection "${given}"; its connections are: ${names.join(', ')}.`,
    );
    this.name = 'ConnectionChoiceError';
  }
}

/**
 * The connection a command acts on: the file itself when it is an ordinary ferry.yaml (then
 * `--connection` must be absent or is refused), else the named connection of the deployment
 * (optional when it has only one).
 */
export async function resolveConnection(file = DEFAULT_CONFIG_FILE, name?: string): Promise<ConnectionSource> {
  const raw = await readRaw(file);
  if (!isDeploymentRaw(raw)) {
    if (name !== undefined) throw new ConfigError(file, [{ path: '(file)', message: `--connection ${name} given, but this ferry.yaml holds one connection (no connections: key); leave --connection out` }]);
    return { name: null, file, raw: isRecord(raw) ? raw : {}, keyPrefix: '', baseDir: configBaseDir(file) };
  }
  const deployment = await loadDeploymentRaw(raw, file);
  return pickConnection(deployment, name);
}

export function pickConnection(deployment: Deployment, name: string | undefined): ConnectionSource {
  const names = deployment.connections.map((c) => c.name!);
  if (name === undefined) {
    if (deployment.connections.length === 1) return deployment.connections[0]!;
    throw new ConnectionChoiceError(deployment.file, names, undefined);
  }
  const found = deployment.connections.find((c) => c.name === name);
  if (!found) throw new ConnectionChoiceError(deployment.file, names, name);
  return found;
}

/** The connection's whole configuration, validated (key paths prefixed), relative paths made absolute. */
export function connectionConfig(src: ConnectionSource, env: NodeJS.ProcessEnv = process.env): FerryConfig {
  return connectionConfigWithPaths(src, env).config;
}

/** connectionConfig, also returning which paths were resolved to what (for `ferry config validate`). */
export function connectionConfigWithPaths(src: ConnectionSource, env: NodeJS.ProcessEnv = process.env): { config: FerryConfig; paths: ResolvedPath[] } {
  const prefix = src.keyPrefix === '' ? undefined : src.keyPrefix;
  return resolveConfigPaths(interpolateAndValidate(src.raw, ferryConfigSchema, src.file, env, prefix), src.baseDir);
}

/** One section (`pim`, `erp`, `state`, …) of the connection, validated, its problems named by their full key path. */
export function connectionSection<S extends z.ZodType>(src: ConnectionSource, section: string, schema: S, env: NodeJS.ProcessEnv = process.env, fallback?: unknown): z.output<S> {
  return interpolateAndValidate(src.raw[section] ?? fallback, schema, src.file, env, sectionKey(src, section));
}

/** The ERP as a person recognises it: its type and where it is. */
export function describeErp(erp: FerryConfig['erp']): string {
  // Exhaustive: a new adapter type fails to compile here until it says how it is shown.
  switch (erp.type) {
    case 'tryton':
      return `tryton ${erp.url}`;
    case 'sql':
      return `sql ${erp.client}`;
    case 'files':
      return `files ${erp.folder}`;
    case 'demo':
      return `demo ${erp.path}`;
    case 'odata':
      return `odata ${erp.profile} ${erp.url}`;
  }
}
