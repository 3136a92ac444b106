/**
 * `${ENV_VAR}` interpolation for ferry.yaml, so secrets can stay out of the file.
 * `${VAR:-default}` gives a default; `$${...}` escapes a literal `${`.
 */
export interface InterpolationProblem {
  path: string;
  variable: string;
}

const PATTERN = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

const WHOLE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

/**
 * `wholeValues` collects the key paths whose whole value was one `${VAR}` (not text around it):
 * those may fill a number or boolean key (`timeoutMs: ${PIM_TIMEOUT:-60000}`), see coerceWholeValue.
 */
export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  problems: InterpolationProblem[] = [],
  path = '',
  wholeValues?: Set<string>,
): unknown {
  if (typeof value === 'string') {
    if (wholeValues && WHOLE.test(value)) wholeValues.add(path || '(root)');
    return value.replace(PATTERN, (match, escaped: string | undefined, name: string, fallback: string | undefined) => {
      if (escaped) return match.slice(1);
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      problems.push({ path: path || '(root)', variable: name });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, problems, `${path}[${i}]`, wholeValues));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateEnv(v, env, problems, path ? `${path}.${k}` : k, wholeValues);
    return out;
  }
  return value;
}

/**
 * A `${VAR}` that filled a whole number or boolean key, read as what the key expects: YAML
 * typed the placeholder as text before the variable was known. Undefined when the text is not
 * a number / a boolean (the schema then reports the key as usual).
 */
export function coerceWholeValue(text: string, expected: 'number' | 'boolean'): number | boolean | undefined {
  const t = text.trim();
  if (expected === 'number') return /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(t) ? Number(t) : undefined;
  if (/^(true|yes|on)$/i.test(t)) return true;
  if (/^(false|no|off)$/i.test(t)) return false;
  return undefined;
}
