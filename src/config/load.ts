/**
 * Reads ferry.yaml: YAML → `${ENV}` interpolation → zod validation.
 * A bad config reports every problem at once, each with its key path and what is expected.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { registerConfigSecrets } from '../logging.js';
import { coerceWholeValue, interpolateEnv, type InterpolationProblem } from './interpolate.js';
import { configBaseDir, resolveConfigPaths, type ResolvedPath } from './paths.js';
import { rawStatePath, resolveSecretRefs, SecretsStore, secretsLocation, type SecretRefProblem } from './secrets.js';
import { ferryConfigSchema, type FerryConfig } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'ferry.yaml';

export interface ConfigProblem {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the configuration:\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** Flattens zod issues (including union branches) into one line per key. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && 'errors' in issue && Array.isArray(issue.errors) && issue.errors.length > 0) {
      // Report the branch that got furthest (fewest problems) rather than "invalid input".
      const branches = issue.errors.map((b) => describeIssues(b, path));
      branches.sort((a, b) => a.length - b.length);
      out.push(...branches[0]!);
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: formatPath([...path, key]), message: 'unknown key; remove it or check its spelling' });
      continue;
    }
    out.push({ path: formatPath(path), message: issue.message });
  }
  return out;
}

/**
 * Reads a config file's text. A missing or unreadable file is a ConfigError; `fixIfMissing`
 * says what to create (the section loaders name their own section).
 */
export async function readConfigFile(file: string, fixIfMissing = 'create it (see README "Configuration")'): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [
      {
        path: '(file)',
        message: code === 'ENOENT' ? `not found; ${fixIfMissing} or pass --config FILE` : `cannot be read (${code ?? String(err)})`,
      },
    ]);
  }
}

/** YAML text to plain data (an empty file is `{}`); syntax errors become one problem per line. */
export function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({ path: `line ${e.linePos?.[0]?.line ?? '?'}`, message: `YAML syntax: ${e.message.split('\n')[0]}` })),
    );
  }
  return doc.toJS() ?? {};
}

/**
 * `${ENV}` interpolation, `${secret:NAME}` references (src/config/secrets.ts), then zod validation of the whole file or of one `section`, whose name
 * prefixes every problem's key path. Unset variables and schema problems are reported together.
 */
export function interpolateAndValidate<S extends z.ZodType>(
  value: unknown,
  schema: S,
  file: string,
  env: NodeJS.ProcessEnv,
  section?: string,
  /** Secret values not stored yet (a Console save being validated): they win over the secrets file. */
  pendingSecrets?: ReadonlyMap<string, string>,
): z.output<S> {
  const missing: InterpolationProblem[] = [];
  const whole = new Set<string>();
  const secretProblems: SecretRefProblem[] = [];
  let store: SecretsStore | null = null;
  // `${secret:NAME}`: the encrypted secrets file beside the config, opened only when referenced.
  const lookup = (name: string) => pendingSecrets?.get(name) ?? (store ??= new SecretsStore(secretsLocation(file, rawStatePath(file)), env)).get(name);
  const interpolated = resolveSecretRefs(interpolateEnv(value, env, missing, section, whole), lookup, secretProblems, section);
  // Known before validation: a secret must not leak even from a file that does not validate.
  registerConfigSecrets(interpolated);
  const problems: ConfigProblem[] = missing.map((m) => ({
    path: m.path,
    message: `environment variable ${m.variable} is not set; export it or write \${${m.variable}:-default}`,
  }));
  problems.push(...secretProblems);
  let result = schema.safeParse(interpolated);
  // `${VAR:-120}` in a number or boolean key: read the text as the type the key expects, once.
  if (!result.success && whole.size > 0 && coerceWholeValues(interpolated, result.error.issues, whole, section)) result = schema.safeParse(interpolated);
  if (!result.success) problems.push(...describeIssues(result.error.issues, section === undefined ? [] : [section]));
  if (problems.length > 0) throw new ConfigError(file, problems);
  return result.data as z.output<S>;
}

/** Replaces, in place, whole-placeholder texts where the schema expected a number or boolean; true when any was. */
function coerceWholeValues(root: unknown, issues: readonly z.core.$ZodIssue[], whole: ReadonlySet<string>, section?: string): boolean {
  let changed = false;
  const flat: { path: PropertyKey[]; expected: string }[] = [];
  const walk = (list: readonly z.core.$ZodIssue[], prefix: PropertyKey[]) => {
    for (const issue of list) {
      // A union's branches carry their own issues (e.g. pim: connection or token).
      if (issue.code === 'invalid_union' && 'errors' in issue && Array.isArray(issue.errors)) for (const b of issue.errors) walk(b, [...prefix, ...issue.path]);
      else if (issue.code === 'invalid_type') flat.push({ path: [...prefix, ...issue.path], expected: String(issue.expected) });
    }
  };
  walk(issues, []);
  for (const issue of flat) {
    if ((issue.expected !== 'number' && issue.expected !== 'boolean') || issue.path.length === 0) continue;
    const key = formatPath(section === undefined ? issue.path : [section, ...issue.path]);
    if (!whole.has(key)) continue;
    let parent = root as Record<PropertyKey, unknown>;
    for (const p of issue.path.slice(0, -1)) parent = parent?.[p] as Record<PropertyKey, unknown>;
    const last = issue.path[issue.path.length - 1]!;
    const current = parent?.[last];
    if (typeof current !== 'string') continue;
    const coerced = coerceWholeValue(current, issue.expected);
    if (coerced === undefined) continue;
    parent[last] = coerced;
    changed = true;
  }
  return changed;
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env, pendingSecrets?: ReadonlyMap<string, string>): FerryConfig {
  return interpolateAndValidate(parseYaml(text, file), ferryConfigSchema, file, env, undefined, pendingSecrets);
}

/** The configuration with every relative path resolved against the file's own directory. */
export async function loadConfig(file = DEFAULT_CONFIG_FILE, env: NodeJS.ProcessEnv = process.env): Promise<FerryConfig> {
  return (await loadConfigWithPaths(file, env)).config;
}

/** loadConfig, also returning which paths were resolved to what (for `ferry config validate`). */
export async function loadConfigWithPaths(
  file = DEFAULT_CONFIG_FILE,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ config: FerryConfig; paths: ResolvedPath[] }> {
  return resolveConfigPaths(parseConfig(await readConfigFile(file), file, env), configBaseDir(file));
}
