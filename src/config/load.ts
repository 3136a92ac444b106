/**
 * Reads ferry.yaml: YAML → `${ENV}` interpolation → zod validation.
 * A bad config reports every problem at once, each with its key path and what is expected.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { registerConfigSecrets } from '../logging.js';
import { interpolateEnv, type InterpolationProblem } from './interpolate.js';
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
 * `${ENV}` interpolation then zod validation of the whole file or of one `section`, whose name
 * prefixes every problem's key path. Unset variables and schema problems are reported together.
 */
export function interpolateAndValidate<S extends z.ZodType>(
  value: unknown,
  schema: S,
  file: string,
  env: NodeJS.ProcessEnv,
  section?: string,
): z.output<S> {
  const missing: InterpolationProblem[] = [];
  const interpolated = interpolateEnv(value, env, missing, section);
  // Known before validation: a secret must not leak even from a file that does not validate.
  registerConfigSecrets(interpolated);
  const problems: ConfigProblem[] = missing.map((m) => ({
    path: m.path,
    message: `environment variable ${m.variable} is not set; export it or write \${${m.variable}:-default}`,
  }));
  const result = schema.safeParse(interpolated);
  if (!result.success) problems.push(...describeIssues(result.error.issues, section === undefined ? [] : [section]));
  if (problems.length > 0) throw new ConfigError(file, problems);
  return result.data as z.output<S>;
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): FerryConfig {
  return interpolateAndValidate(parseYaml(text, file), ferryConfigSchema, file, env);
}

export async function loadConfig(file = DEFAULT_CONFIG_FILE, env: NodeJS.ProcessEnv = process.env): Promise<FerryConfig> {
  return parseConfig(await readConfigFile(file), file, env);
}
