/**
 * `${ENV_VAR}` interpolation for ferry.yaml, so secrets can stay out of the file.
 * `${VAR:-default}` gives a default; `$${...}` escapes a literal `${`.
 */
export interface InterpolationProblem {
  path: string;
  variable: string;
}

const PATTERN = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  problems: InterpolationProblem[] = [],
  path = '',
): unknown {
  if (typeof value === 'string') {
    return value.replace(PATTERN, (match, escaped: string | undefined, name: string, fallback: string | undefined) => {
      if (escaped) return match.slice(1);
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      problems.push({ path: path || '(root)', variable: name });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, problems, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateEnv(v, env, problems, path ? `${path}.${k}` : k);
    return out;
  }
  return value;
}
