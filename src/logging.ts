/**
 * Logging for every part of Ferry: pino JSON lines, with secrets redacted by key
 * wherever they appear, and the one scrubber for everything that leaves the process.
 *
 * The scrubber knows every configured secret: loading ferry.yaml registers the values of its
 * secret keys (passwords, secrets, tokens, …) and the passwords of URLs in it
 * (`registerConfigSecrets`). Log lines, CLI output (`installOutputScrubber`), errors, reports and
 * what the state DB stores all pass through it, so a secret echoed by a server in an error
 * page is caught wherever it travels, not only where a key name gives it away.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

/** Keys whose values are secrets, whatever object they sit in. */
export const SECRET_KEYS = [
  'secret',
  'password',
  'token',
  'access_token',
  'refresh_token',
  'accessToken',
  'refreshToken',
  'authorization',
  'Authorization',
  'clientSecret',
  'client_secret',
  'code_challenge',
  'apiKey',
  'platformSecret',
] as const;

const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`, `headers.${k.toLowerCase()}`]);

export function createLogger(options: LoggerOptions = {}, destination?: pino.DestinationStream): Logger {
  const base: LoggerOptions = {
    level: process.env.FERRY_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Every line, whatever it carries (an error text, a response body), loses the known secrets.
    hooks: { streamWrite: (line: string) => scrubKnownSecrets(line) },
    ...options,
  };
  return destination ? pino(base, destination) : pino(base);
}

const SECRET_PATTERNS: RegExp[] = [
  /(Bearer|Basic|Session)\s+[A-Za-z0-9._~+/=:-]+/g,
  /((?:password|secret|token|refresh_token|access_token|client_secret)["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi,
];

/** `scheme://user:password@` in any text: the userinfo goes, the rest of the URL stays. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]*:[^\s/?#@"'<>]*@/gi;

/** Every configured secret, as written and as it looks JSON- or URL-encoded. */
const known = new Set<string>();
/** `known`, longest first (a secret containing another is removed whole); rebuilt when it grows. */
let knownSorted: string[] = [];

/**
 * Secrets shorter than this are not searched for in free text: a short one is usually a word
 * (the sandbox's default password is `admin`, which is also a role name) and replacing it
 * everywhere garbles ordinary output. Key-based redaction (`password: …`) still hides them.
 */
const MIN_SECRET_LENGTH = 8;

/** The secrets registered as given (known also holds their escaped forms). */
const registered = new Set<string>();

/** Makes the scrubber know these secrets for the rest of the process. */
export function registerSecrets(values: Iterable<string | null | undefined>): void {
  let added = false;
  for (const v of values) {
    // Known already (the Console registers a session id on each request): no re-sort.
    if (typeof v !== 'string' || v.length < MIN_SECRET_LENGTH || registered.has(v)) continue;
    added = true;
    registered.add(v);
    known.add(v);
    known.add(JSON.stringify(v).slice(1, -1));
    known.add(encodeURIComponent(v));
    known.add(JSON.stringify(JSON.stringify(v).slice(1, -1)).slice(1, -1));
  }
  if (added) knownSorted = [...known].sort((a, b) => b.length - a.length);
}

/** Keys of ferry.yaml (at any depth) whose string values are secrets. */
const CONFIG_SECRET_KEY = /^(password|secret|token|clientSecret|client_secret|apiKey|api_key|accessToken|refreshToken|webhookSecret|signingSecret|platformSecret|passphrase|privateKey)$/i;

/** true for a ferry.yaml key whose value is a secret (the Console redacts and never returns it). */
export function isConfigSecretKey(key: string): boolean {
  return CONFIG_SECRET_KEY.test(key);
}

/**
 * The secrets in a configuration (raw or validated): values of secret keys, and the password of
 * every URL or connection string in it (`scheme://user:password@host`).
 */
export function configSecrets(config: unknown): string[] {
  const out: string[] = [];
  const walk = (value: unknown, key: string | null): void => {
    if (typeof value === 'string') {
      if (key !== null && CONFIG_SECRET_KEY.test(key)) out.push(value);
      for (const m of value.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^\s/?#@]*:([^\s/?#@]*)@/gi)) {
        out.push(m[1]!);
        try {
          out.push(decodeURIComponent(m[1]!));
        } catch {
          // not percent-encoded
        }
      }
      // key=value connection strings (SQL Server, ODBC): Password=…;
      for (const m of value.matchAll(/(?:^|;)\s*(?:password|pwd)\s*=\s*([^;]+)/gi)) out.push(m[1]!.trim());
      return;
    }
    if (Array.isArray(value)) for (const v of value) walk(v, key);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(config, null);
  return out;
}

/** Registers every secret of a configuration (see configSecrets). */
export function registerConfigSecrets(config: unknown): void {
  registerSecrets(configSecrets(config));
}

/**
 * Removes the secrets the process knows (and `extra` ones) and URL userinfo from a text. Keeps
 * the text's structure: safe on JSON, log lines and config errors (no pattern guessing).
 */
export function scrubKnownSecrets(text: string, extra: readonly (string | null | undefined)[] = []): string {
  let out = text;
  const more = extra.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH && !known.has(s));
  const all = more.length > 0 ? [...knownSorted, ...more].sort((a, b) => b.length - a.length) : knownSorted;
  for (const s of all) if (out.includes(s)) out = out.split(s).join('[redacted]');
  return out.replace(URL_USERINFO, '$1[redacted]@');
}

/**
 * Removes credentials from a text (an error message, a URL, a response body) before it is shown
 * or stored: the known secrets, URL userinfo, and what looks like one (`Bearer …`, `password=…`).
 */
export function scrubSecrets(text: string, knownSecrets: readonly (string | null | undefined)[] = []): string {
  let out = scrubKnownSecrets(text, knownSecrets);
  out = out.replace(SECRET_PATTERNS[0]!, (_m, scheme: string) => `${scheme} [redacted]`);
  out = out.replace(SECRET_PATTERNS[1]!, (_m, prefix: string) => (prefix.length > 0 && /redacted/.test(_m.slice(prefix.length)) ? _m : `${prefix}[redacted]`));
  return out;
}

/** Any value as it may be stored or printed: its JSON with the known secrets removed. */
export function scrubbedJson(value: unknown, space?: number): string {
  return scrubKnownSecrets(JSON.stringify(value, null, space));
}

let installed = false;

/**
 * Makes every string written to stdout and stderr pass through the scrubber (the CLI calls it
 * once at start): whatever a command prints, a known secret does not leave the process.
 */
export function installOutputScrubber(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      write(typeof chunk === 'string' ? scrubKnownSecrets(chunk) : chunk instanceof Uint8Array ? Buffer.from(scrubKnownSecrets(Buffer.from(chunk).toString('utf8'))) : chunk, ...rest)) as typeof stream.write;
  }
}

export type { Logger };
