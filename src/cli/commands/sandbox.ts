/**
 * `ferry sandbox`: runs the local Akeneo-compatible server until Ctrl-C, printing its base URL
 * and the (sandbox-only) credentials to use.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../sandbox/index.js';
import { EditionError, editionProfile } from '../../sandbox/edition.js';
import { parseFaults, parseLatency, SandboxOptionError, sandboxConnectionSchema, type SandboxConnection } from '../../sandbox/options.js';
import { UserError } from '../output.js';

export interface SandboxFlags {
  host?: string;
  port?: string;
  catalog?: string;
  data?: string;
  limits?: string;
  latency?: string;
  faults?: string;
  seed?: string;
  clientId?: string;
  secret?: string;
  username?: string;
  password?: string;
  tokenLifetime?: string;
  connections?: string;
  log?: boolean;
  edition?: string;
  version?: string;
  user?: string[];
  eventsUrl?: string;
  eventsSecret?: string;
  eventsSecondarySecret?: string;
  eventsFormat?: string;
  eventsDuplicate?: boolean;
  eventsReorder?: boolean;
}

function integer(name: string, value: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UserError(`--${name} must be an integer between ${min} and ${max}, got "${value}".`);
  }
  return Number(value);
}

/** `--connections 3` or `--connections creds.yaml` (a YAML/JSON list of {clientId, secret, username, password}). */
function connectionsFlag(value: string): number | SandboxConnection[] {
  if (/^\d+$/.test(value)) return integer('connections', value, 1, 20);
  let text: string;
  try {
    text = readFileSync(value, 'utf8');
  } catch (err) {
    throw new UserError(`--connections "${value}" is neither a number of connections (1–20) nor a readable credentials file: ${(err as Error).message}`);
  }
  const parsed = z.array(sandboxConnectionSchema).min(1).max(20).safeParse(parseYaml(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      `--connections ${value}: entry ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}. The file is a list of {clientId, secret, username, password}.`,
    );
  }
  return parsed.data;
}

/** Turns CLI flags into SandboxOptions, failing with a message that names the flag and the fix. */
export function sandboxOptionsFromFlags(flags: SandboxFlags): SandboxOptions {
  const out: SandboxOptions = {};
  if (flags.host !== undefined) out.host = flags.host;
  out.port = flags.port !== undefined ? integer('port', flags.port, 0, 65535) : 8081;
  if (flags.catalog !== undefined) out.catalog = flags.catalog;
  if (flags.data !== undefined) out.dataFile = flags.data;
  if (flags.limits !== undefined) {
    if (flags.limits !== 'none' && flags.limits !== 'saas') throw new UserError(`--limits must be "none" or "saas", got "${flags.limits}".`);
    out.limits = flags.limits;
  }
  try {
    if (flags.latency !== undefined) {
      parseLatency(flags.latency);
      out.latency = flags.latency;
    }
    if (flags.faults !== undefined) {
      parseFaults(flags.faults);
      out.faults = flags.faults;
    }
  } catch (err) {
    if (err instanceof SandboxOptionError) throw new UserError(err.message);
    throw err;
  }
  if (flags.edition !== undefined || flags.version !== undefined) {
    try {
      editionProfile(flags.edition ?? 'saas', flags.version);
    } catch (err) {
      if (err instanceof EditionError) throw new UserError(err.message);
      throw err;
    }
    if (flags.edition !== undefined) out.edition = flags.edition.toLowerCase();
    if (flags.version !== undefined) out.version = flags.version;
  }
  if (flags.seed !== undefined) out.seed = integer('seed', flags.seed, -2147483648, 2147483647);
  if (flags.clientId !== undefined) out.clientId = flags.clientId;
  if (flags.secret !== undefined) out.secret = flags.secret;
  if (flags.username !== undefined) out.username = flags.username;
  if (flags.password !== undefined) out.password = flags.password;
  if (flags.connections !== undefined) out.connections = connectionsFlag(flags.connections);
  if (flags.tokenLifetime !== undefined) out.tokenLifetimeSeconds = integer('token-lifetime', flags.tokenLifetime, 1, 31_536_000);
  if (flags.user !== undefined && flags.user.length > 0) {
    out.users = flags.user.map((u) => {
      const at = u.indexOf(':');
      if (at <= 0 || at === u.length - 1) throw new UserError(`--user must be NAME:PASSWORD (e.g. julia:julia-pass), got "${u.replace(/:.*/, ':…')}".`);
      return { username: u.slice(0, at), password: u.slice(at + 1) };
    });
  }
  if (flags.eventsUrl !== undefined) {
    if (!/^https?:\/\/[^\s]+$/.test(flags.eventsUrl)) throw new UserError(`--events-url must be an http(s) URL such as http://127.0.0.1:8080/api/v1/events/akeneo, got "${flags.eventsUrl}".`);
    if (flags.eventsSecret === undefined || flags.eventsSecret === '') throw new UserError('--events-url needs --events-secret: the events are signed with it (the receiver\'s events.secret).');
    out.eventsUrl = flags.eventsUrl;
    out.eventsSecret = flags.eventsSecret;
    if (flags.eventsSecondarySecret) out.eventsSecondarySecret = flags.eventsSecondarySecret;
  }
  if (flags.eventsFormat !== undefined) {
    if (!['api', 'platform', 'both'].includes(flags.eventsFormat)) throw new UserError(`--events-format must be api, platform or both, got "${flags.eventsFormat}".`);
    out.eventsFormat = flags.eventsFormat as 'api' | 'platform' | 'both';
  }
  if (flags.eventsDuplicate) out.eventsDuplicate = true;
  if (flags.eventsReorder) out.eventsReorder = true;
  if (flags.log) {
    out.onRequestLog = (e) =>
      process.stderr.write(`${new Date().toISOString()} ${e.method} ${e.url} ${e.status} ${e.ms}ms${e.lines > 0 ? ` ${e.lines} lines` : ''}\n`);
  }
  return out;
}

/** "CE 6.0 (identifier endpoints only; no system-information, …)" */
function editionLine(sb: RunningSandbox): string {
  const e = sb.edition;
  const notes = [
    e.uuidProducts ? 'uuid and identifier product endpoints' : 'identifier product endpoints only',
    e.systemInformation ? `system-information ${e.systemInformation.edition} ${e.systemInformation.version}` : 'no system-information',
    e.edition === 'ce' ? 'no reference entities or assets, no read-only attributes' : 'reference entities, assets, read-only attributes',
  ];
  return `${e.label} (${notes.join('; ')})`;
}

export function startBanner(sb: RunningSandbox, options: SandboxOptions): string {
  const r = sb.catalogReport;
  const lines = [
    `Ferry PIM sandbox listening on ${sb.url}`,
    `  answers as: ${editionLine(sb)}`,
    `  catalog:   ${r.catalog}${r.restored ? ` (state restored from ${options.dataFile})` : ''}` +
      (r.products.loaded + r.productModels.loaded > 0 ? `, ${r.productModels.loaded} product models, ${r.products.loaded} products` : ''),
    `  client id: ${sb.clientId}`,
    `  secret:    ${sb.secret}`,
    `  username:  ${sb.username}`,
    `  password:  ${sb.password}`,
    ...sb.connections.slice(1).map((c, i) => `  connection ${i + 2}: client id ${c.clientId}, secret ${c.secret}, username ${c.username}, password ${c.password}`),
    `  limits:    ${options.limits ?? 'none'}${options.latency ? `, latency ${options.latency}` : ''}${options.faults ? `, faults ${options.faults} (seed ${options.seed ?? 1})` : ''}`,
    ...(options.eventsUrl ? [`  events:    ${options.eventsFormat ?? 'api'} → ${options.eventsUrl}${options.eventsDuplicate ? ', each delivered twice' : ''}${options.eventsReorder ? ', bursts newest first' : ''}`] : []),
    ...(options.users?.length ? [`  users:     ${options.users.map((u) => u.username).join(', ')} (besides ${sb.username})`] : []),
    `  token:     POST ${sb.url}/api/oauth/v1/token    reset: POST ${sb.url}/_sandbox/reset (header X-Ferry-Sandbox: 1)    stats: GET ${sb.url}/_sandbox/stats`,
  ];
  if (r.structureWarnings.length > 0) {
    lines.push(`  warning:   the catalog's structure files have ${r.structureWarnings.length} broken reference(s):`);
    for (const w of r.structureWarnings.slice(0, 5)) lines.push(`    ${w}`);
  }
  if (r.products.failed + r.productModels.failed > 0) {
    lines.push(`  warning:   ${r.productModels.failed} product models and ${r.products.failed} products of the catalog were rejected:`);
    for (const e of r.errors.slice(0, 5)) lines.push(`    ${e.file}:${e.line} ${e.key}: ${e.status} ${e.message}`);
  }
  return lines.join('\n') + '\n';
}

export function registerSandboxCommand(program: Command): void {
  program
    .command('sandbox')
    .description('Run a local Akeneo-compatible PIM API server (for tests, demos and mapping development)')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', '8081')
    .option('--edition <edition>', 'answer as ce | ee | saas (routes, system-information, attribute properties)', 'saas')
    .option('--version <version>', 'self-hosted version for ce/ee: 5.0 | 6.0 | 7.0 (default 7.0)')
    .option('--catalog <catalog>', 'demo | empty | technical | DIR (api-json layout)', 'demo')
    .option('--data <file>', 'persist state to this SQLite file (a restart keeps it)')
    .option('--limits <mode>', 'none | saas (4 concurrent/connection, 10/instance across connections, 100 req/s, option writes 3/s)', 'none')
    .option('--latency <spec>', 'added delay, e.g. 200ms+2ms/line')
    .option('--faults <spec>', 'injected failures, e.g. 429:0.05,500:0.02,reset:0.01,timeout:0.005,500-after-write:0.01')
    .option('--seed <n>', 'seed for reproducible faults', '1')
    .option('--client-id <id>', 'API client id', 'ferry')
    .option('--secret <secret>', 'API client secret', 'ferry-secret')
    .option('--username <user>', 'API username', 'admin')
    .option('--password <password>', 'API password', 'admin')
    .option('--token-lifetime <seconds>', 'access token lifetime', '3600')
    .option('--connections <n|file>', 'several Connections on the instance: a number (ferry, ferry-2, …) or a YAML/JSON list of {clientId, secret, username, password}; limits apply per connection and per instance')
    .option('--user <name:password>', 'another API user of the connection (repeatable), e.g. julia:julia-pass', (v: string, acc: string[] = []) => [...acc, v])
    .option('--events-url <url>', 'send events after product and product model writes to this URL (ferry serve: /api/v1/events/akeneo)')
    .option('--events-secret <secret>', 'the secret that signs the events (the receiver checks it; the Event Platform\'s primary secret)')
    .option('--events-secondary-secret <secret>', 'Event Platform: a secondary secret, signing X-AKENEO-SIGNATURE-SECONDARY too (a rotation under way)')
    .option('--events-format <format>', 'api (Events API) | platform (Event Platform HTTPS delivery) | both', 'api')
    .option('--events-duplicate', 'Event Platform: deliver every event twice (at-least-once delivery)')
    .option('--events-reorder', 'Event Platform: deliver each burst newest first (unordered delivery)')
    .option('--log', 'print one line per request on stderr (method, path, status, time)')
    .action(async (flags: SandboxFlags) => {
      const options = sandboxOptionsFromFlags(flags);
      let sb: RunningSandbox;
      try {
        sb = await startSandbox(options);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EADDRINUSE') throw new UserError(`Port ${options.port} is already in use; pick another with --port.`);
        if (e.name === 'CatalogError' || e.name === 'SandboxOptionError') throw new UserError(e.message);
        if (options.dataFile && /SQLITE|database/i.test(`${e.code ?? ''} ${e.message}`)) {
          throw new UserError(`Cannot use --data ${options.dataFile}: ${e.message}. Check that the directory exists and is writable.`);
        }
        throw err;
      }
      process.stdout.write(startBanner(sb, options));
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.stderr.write('ferry sandbox: stopping…\n');
          void sb.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
