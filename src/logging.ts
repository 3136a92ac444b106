/**
 * Logging for every part of Ferry: pino JSON lines, with secrets redacted by key
 * wherever they appear, and a string scrubber for messages built from outside input.
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
] as const;

const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`, `headers.${k.toLowerCase()}`]);

export function createLogger(options: LoggerOptions = {}, destination?: pino.DestinationStream): Logger {
  const base: LoggerOptions = {
    level: process.env.FERRY_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...options,
  };
  return destination ? pino(base, destination) : pino(base);
}

const SECRET_PATTERNS: RegExp[] = [
  /(Bearer|Basic|Session)\s+[A-Za-z0-9._~+/=:-]+/g,
  /((?:password|secret|token|refresh_token|access_token|client_secret)["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi,
];

/** Removes credentials from a text (an error message, a URL, a response body) before it is shown or stored. */
export function scrubSecrets(text: string, knownSecrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of knownSecrets) if (s && s.length >= 3) out = out.split(s).join('[redacted]');
  out = out.replace(SECRET_PATTERNS[0]!, (_m, scheme: string) => `${scheme} [redacted]`);
  out = out.replace(SECRET_PATTERNS[1]!, (_m, prefix: string) => `${prefix}[redacted]`);
  return out;
}

export type { Logger };
