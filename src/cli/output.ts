/** Shared CLI plumbing: where the config comes from, how errors and JSON are printed. */
import type { Command } from 'commander';
import { ConfigError, DEFAULT_CONFIG_FILE } from '../config/load.js';
import { ConnectionChoiceError, connectionConfig, resolveConnection, type ConnectionSource } from '../config/deployment.js';
import type { FerryConfig } from '../config/schema.js';
import { scrubbedJson, scrubKnownSecrets, scrubSecrets } from '../logging.js';

export const configOption = ['-c, --config <file>', 'configuration file', DEFAULT_CONFIG_FILE] as const;
export const connectionOption = ['--connection <name>', 'in a ferry.yaml with several connections: the one to act on (ferry connections list)'] as const;

/** What a command that acts on one connection is given: the file and, in a deployment, the connection's name. */
export interface ConfigOptions {
  config?: string;
  connection?: string;
}

export function withConfigOption(cmd: Command): Command {
  return cmd.option(...configOption).option(...connectionOption);
}

/**
 * The one resolver every command goes through: `--config` (+ `--connection` in a deployment
 * of several connections, src/config/deployment.ts) → the connection's raw config and file.
 */
export async function connectionFrom(opts: ConfigOptions): Promise<ConnectionSource> {
  return resolveConnection(opts.config ?? DEFAULT_CONFIG_FILE, opts.connection);
}

export async function configFrom(opts: ConfigOptions): Promise<FerryConfig> {
  return connectionConfig(await connectionFrom(opts));
}

/**
 * `ferry runs show 9 --json | head`: the reader went away, which is what the person wanted —
 * stop quietly (exit 0) instead of dying on an unhandled EPIPE.
 */
export function endQuietlyOnBrokenPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

export function printJson(value: unknown): void {
  process.stdout.write(scrubbedJson(value, 2) + '\n');
}

/** An error meant for the user: printed as its message alone, no stack. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

const BUILTIN_ERRORS = new Set(['Error', 'TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError', 'URIError', 'AggregateError']);

/**
 * An error as a person reads it: its message, without the class name (`RunLockedError: …`,
 * `ErpError: …`) that String(err) puts first — unless the class writes its own text (toString),
 * and scrubbed of secrets.
 */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return scrubSecrets(String(err));
  // JavaScript's own errors (TypeError: …) keep their name: they point at a bug.
  const plain = err.toString === Error.prototype.toString && !BUILTIN_ERRORS.has(err.name);
  return scrubSecrets(plain ? err.message : String(err));
}

/** Prints an error the way a user can act on it and returns the exit code. */
export function reportFatal(err: unknown): number {
  if (err instanceof ConfigError) {
    // Key paths and zod's words only: the pattern scrubber would garble `pim.secret: Invalid input`.
    process.stderr.write(`ferry: ${scrubKnownSecrets(err.message)}\n`);
    return 1;
  }
  if (err instanceof ConnectionChoiceError) {
    process.stderr.write(`ferry: ${err.message}\n`);
    return 2;
  }
  if (err instanceof UserError) {
    process.stderr.write(`ferry: ${scrubSecrets(err.message)}\n`);
    return err instanceof UserError ? err.exitCode : 1;
  }
  if (err instanceof Error) {
    process.stderr.write(`ferry: ${errorText(err)}\n`);
    if (process.env.FERRY_DEBUG) process.stderr.write(`${err.stack ?? ''}\n`);
    return 1;
  }
  process.stderr.write(`ferry: ${scrubSecrets(String(err))}\n`);
  return 1;
}
