/**
 * The Connections page's server side: the forms (each section's zod schema as JSON Schema, so a
 * new ERP adapter gets its form for free) and the Test buttons, which run what `ferry pim check`
 * and `ferry erp check` run and say the outcome in plain words — for a failure, which setting is
 * wrong and how to fix it. Candidate values from the form are tested before they are saved;
 * secrets typed in the form are used for the test only and never appear in an answer.
 */
import { z } from 'zod';
import { pimConfigSchema, type PimConfig } from '../../akeneo/config.js';
import { AkeneoAuthError, AkeneoError, AkeneoNetworkError } from '../../akeneo/errors.js';
import { erpConfigSchema } from '../../erp/config.js';
import { interpolateAndValidate, ConfigError } from '../../config/load.js';
import { resolveErpPaths } from '../../config/paths.js';
import { configSecrets, scrubSecrets } from '../../logging.js';
import { runPimCheck } from '../../app/pim-check.js';
import type { ConnectionFailure, ConnectionForms, ErpTestResult, PimTestResult } from '../api/contract.js';

const ERP_TITLES: Record<string, string> = {
  tryton: 'Tryton (JSON-RPC)',
  sql: 'SQL database (PostgreSQL, MySQL/MariaDB, SQL Server, SQLite)',
  files: 'Files dropped by an export (CSV, XLSX, JSON, XML)',
  demo: 'Demo ERP (generated SQLite, for trying Ferry)',
  odata: 'OData (SAP S/4HANA, Business Central, any OData service)',
};

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/** Every adapter of the `erp:` union, in the union's order, with its JSON Schema. */
export function connectionForms(): ConnectionForms {
  const erp = erpConfigSchema.options.map((option) => {
    const type = String((option.shape.type as z.ZodLiteral<string>).value);
    return { type, title: ERP_TITLES[type] ?? type, schema: jsonSchemaOf(option) };
  });
  return { pim: jsonSchemaOf(pimConfigSchema), erp };
}

/** Sets `value` at a dotted path (`connection.password`) inside a copy of `section`. */
function withValue(section: Record<string, unknown>, path: string, value: string): Record<string, unknown> {
  const out = structuredClone(section);
  const keys = path.split('.').filter(Boolean);
  let at: Record<string, unknown> = out;
  for (const k of keys.slice(0, -1)) {
    if (typeof at[k] !== 'object' || at[k] === null) at[k] = {};
    at = at[k] as Record<string, unknown>;
  }
  at[keys[keys.length - 1]!] = value;
  return out;
}

export interface TestInput {
  /** The section as the form has it (references unresolved); undefined: the saved one. */
  section: Record<string, unknown> | undefined;
  /** Values typed for secret keys (path inside the section → value), for this test only. */
  secrets: Record<string, string> | undefined;
  /** The saved section as written (references unresolved). */
  saved: Record<string, unknown> | undefined;
  configFile: string;
  env: NodeJS.ProcessEnv;
}

function candidate(input: TestInput): Record<string, unknown> | undefined {
  let section = input.section ?? input.saved;
  if (!section) return undefined;
  for (const [path, value] of Object.entries(input.secrets ?? {})) section = withValue(section, path, value);
  return section;
}

function configFailure(err: ConfigError, sectionName: string): ConnectionFailure {
  const first = err.problems[0]!;
  return {
    kind: 'config',
    setting: first.path.startsWith(sectionName) ? first.path : `${sectionName}.${first.path}`,
    message: err.problems.map((p) => `${p.path}: ${p.message}`).join('; '),
    fix: 'Correct the field named above and test again.',
  };
}

const CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|SSL/i;

/** An Akeneo failure as the setting to change and the fix, in plain words. */
export function explainPimFailure(err: unknown, url: string, secrets: string[], pim?: PimConfig): ConnectionFailure {
  const said = scrubSecrets(err instanceof AkeneoError ? err.toString() : String(err), secrets);
  if (err instanceof AkeneoAuthError) {
    switch (err.problem) {
      case 'client':
        return { kind: 'wrong_secret', setting: 'pim.secret', message: `The PIM refused the client id and secret. ${said}`, fix: 'Copy the client id and secret again from Akeneo (Connect › Connection settings › your connection) into Client id and Secret.' };
      case 'user':
        return { kind: 'wrong_password', setting: 'pim.password', message: `The PIM refused the username or password. ${said}`, fix: "Check Username and Password; in Akeneo, the connection's settings can regenerate the password." };
      case 'token':
      case 'app':
        return { kind: 'wrong_secret', setting: 'pim.token', message: `The PIM refused the App token. ${said}`, fix: 'Get a new access token from the App activation, or reconnect the App in the PIM.' };
      default:
        return { kind: 'wrong_secret', setting: 'pim.secret', message: said, fix: 'Check the credentials of the connection.' };
    }
  }
  if (err instanceof AkeneoNetworkError) {
    const code = err.code ?? '';
    const cause = String((err as { cause?: unknown }).cause ?? '');
    if (CERT_CODES.test(code) || CERT_CODES.test(cause) || /certificate/i.test(said)) {
      // The error's own words without its hint: the fix below says the same, once.
      return { kind: 'certificate', setting: 'pim.url', message: `The PIM's TLS certificate is not trusted (${code || 'certificate error'}): ${scrubSecrets(err.message, secrets)}.`, fix: 'Use the PIM\'s public https address, or give Node the company CA (NODE_EXTRA_CA_CERTS=/path/ca.pem) before starting Ferry.' };
    }
    if (err.timedOut) return { kind: 'timeout', setting: 'pim.timeoutMs', message: `The PIM at ${url} did not answer in time. ${said}`, fix: 'Check that the PIM is up and not overloaded, or raise the timeout (pim.timeoutMs).' };
    return { kind: 'unreachable', setting: 'pim.url', message: `Ferry cannot reach ${url} (${code || 'network error'}). ${said}`, fix: 'Check the URL (scheme, host, port), that the PIM is running, and that this server may reach it (firewall, proxy).' };
  }
  if (err instanceof AkeneoError && err.status === 403) {
    // Akeneo words the missing ACL: "Access forbidden. You are not allowed to list families."
    const action = /You are not allowed to ([^.]+)\./.exec(said)?.[1];
    const needs = 'Ferry needs to list the catalog structure (channels, locales, currencies, families, attributes, categories) and to create or update attributes, options, families, categories, product models and products';
    if (pim && 'token' in pim) {
      return { kind: 'permission', setting: 'pim.token', message: `The PIM answered 403 Forbidden. ${said}`, fix: `The App${action ? ` may not ${action}` : ' lacks a permission'}: reconnect it in the PIM and grant the scopes it asks for. ${needs}.` };
    }
    const user = pim && 'username' in pim ? pim.username : 'the connection\'s user';
    return {
      kind: 'permission',
      setting: 'pim.username',
      message: `The PIM answered 403 Forbidden. ${said}`,
      fix: `The user ${user} ${action ? `may not ${action}` : 'lacks a Web API permission'}: in Akeneo, System › Roles, open the role of that user's group and allow it under Web API permissions (or use a Connection whose user may). ${needs}.`,
    };
  }
  if (err instanceof AkeneoError && err.status === 404) {
    return { kind: 'unreachable', setting: 'pim.url', message: `${url} answered, but not as an Akeneo PIM (404). ${said}`, fix: 'Use the address of the PIM itself (the one you sign in at), without a path.' };
  }
  return { kind: 'other', setting: null, message: said, fix: 'Read the message above; the server log has the details.' };
}

export async function testPim(input: TestInput): Promise<PimTestResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const section = candidate(input);
  if (!section) return { ok: false, durationMs: ms(), lines: [], details: null, failure: { kind: 'config', setting: 'pim.url', message: 'No PIM is configured yet.', fix: 'Fill in the PIM URL and the credentials, then test.' } };
  let pim;
  try {
    pim = interpolateAndValidate(section, pimConfigSchema, input.configFile, input.env, 'pim');
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, durationMs: ms(), lines: [], details: null, failure: configFailure(err, 'pim') };
    throw err;
  }
  const secrets = configSecrets(pim);
  try {
    const r = await runPimCheck(pim);
    const lines = [
      `Connected to ${r.url} as ${r.auth === 'app' ? 'an App (token)' : 'a Connection (client id, secret, username, password)'}.`,
      `Akeneo ${r.version}, ${r.edition} edition.`,
      r.endpointMode === 'uuid' ? 'Products are addressed by uuid (/products-uuid).' : 'Products are addressed by identifier (/products).',
      `Rate budget: ${r.rateBudget.concurrency} calls at a time, ${r.rateBudget.requestsPerSecond} requests per second, ${r.rateBudget.optionWritesPerSecond} option writes per second.`,
      `Catalog: ${r.counts.channels} channels, ${r.counts.activeLocales} active locales (${r.activeLocaleCodes.join(', ') || 'none'}), ${r.counts.families} families, ${r.counts.attributes} attributes.`,
    ];
    return {
      ok: true,
      durationMs: ms(),
      lines,
      details: { version: r.version, edition: r.edition, endpointMode: r.endpointMode, auth: r.auth, rateBudget: r.rateBudget, counts: r.counts, activeLocaleCodes: r.activeLocaleCodes },
      failure: null,
    };
  } catch (err) {
    return { ok: false, durationMs: ms(), lines: [], details: null, failure: explainPimFailure(err, pim.url, secrets, pim) };
  }
}

/** An adapter's check problem as the setting to change (guessed from its words) and its kind. */
export function explainErpProblem(problem: string, type: string): ConnectionFailure {
  const p = problem;
  const setting = (key: string) => `erp.${key}`;
  if (/certificate|self[- ]signed|CERT_|TLS/i.test(p)) return { kind: 'certificate', setting: setting(type === 'sql' ? 'connection.ssl' : 'url'), message: p, fix: 'Trust the server certificate (NODE_EXTRA_CA_CERTS) or fix the TLS settings of the connection.' };
  // Before the password words: MariaDB's "Access denied for user … to database" is a grant missing, not a wrong password.
  const grant = /may not read (.+?) on .*; grant it in the database: (GRANT [^;]+)/.exec(p);
  if (grant) return { kind: 'permission', setting: setting(type === 'sql' ? 'connection.user' : 'username'), message: p, fix: `The user logs in but may not read ${grant[1]!}. Have the database administrator run: ${grant[2]!.trim()}; or set ${setting(type === 'sql' ? 'connection.user' : 'username')} to a user that may.` };
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|cannot reach|unreachable|connect(ion)? refused|getaddrinfo|no such host|does not exist; create it/i.test(p))
    return { kind: 'unreachable', setting: setting(type === 'sql' ? 'connection.host' : type === 'files' ? 'folder' : 'url'), message: p, fix: 'Check the address (host, port, folder), that the ERP is running and that this server may reach it.' };
  if (/password|authentication|login|credentials|access denied for user|not authorized|401/i.test(p))
    return { kind: 'wrong_password', setting: setting(type === 'sql' ? 'connection.password' : 'password'), message: p, fix: 'Check the user name and password the ERP expects for Ferry.' };
  if (/permission|denied|forbidden|403|not readable|not writable|privilege/i.test(p)) return { kind: 'permission', setting: null, message: p, fix: 'Give the account Ferry uses read access to what it reads (tables, models, folder).' };
  if (/database/i.test(p)) return { kind: 'config', setting: setting(type === 'sql' ? 'connection.database' : 'database'), message: p, fix: 'Check the database name.' };
  return { kind: 'other', setting: null, message: p, fix: 'Read the message above: it names what to change.' };
}

export async function testErp(input: TestInput): Promise<ErpTestResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const none = { reachable: false, authenticated: false, lines: [], streams: [] };
  const section = candidate(input);
  if (!section) return { ok: false, durationMs: ms(), ...none, failure: { kind: 'config', setting: 'erp.type', message: 'No ERP is configured yet.', fix: 'Choose the kind of ERP and fill in its form, then test.' } };
  let erp;
  try {
    erp = interpolateAndValidate(section, erpConfigSchema, input.configFile, input.env, 'erp');
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, durationMs: ms(), ...none, failure: configFailure(err, 'erp') };
    throw err;
  }
  erp = resolveErpPaths(erp, input.configFile.replace(/[^/\\]*$/, '') || '.');
  const secrets = configSecrets(erp);
  const { createErpSource } = await import('../../erp/factory.js');
  let source;
  try {
    source = createErpSource(erp, { readOnly: true });
  } catch (err) {
    const message = scrubSecrets(String((err as Error).message ?? err), secrets);
    return { ok: false, durationMs: ms(), ...none, failure: explainErpProblem(message, erp.type) };
  }
  try {
    const r = await source.check();
    const streams = Object.entries(r.counts).map(([name, records]) => ({ name, records: records ?? null }));
    const facts = Object.entries(r.details).map(([k, v]) => `${k}: ${v === null ? '-' : String(v)}`);
    if (r.ok) {
      return {
        ok: true,
        durationMs: ms(),
        reachable: true,
        authenticated: true,
        lines: [`Connected to ${r.system}.`, ...facts.map((f) => `${f}.`), `Records: ${streams.map((s) => `${s.name} ${s.records ?? '?'}`).join(', ') || 'none counted'}.`],
        streams,
        failure: null,
      };
    }
    const problem = scrubSecrets(r.problems.join('; '), secrets);
    const failure = explainErpProblem(problem, erp.type);
    return {
      ok: false,
      durationMs: ms(),
      reachable: failure.kind !== 'unreachable' && failure.kind !== 'certificate',
      authenticated: failure.kind !== 'unreachable' && failure.kind !== 'certificate' && failure.kind !== 'wrong_password',
      lines: [`${r.system}: the check failed.`, ...facts],
      streams,
      failure,
    };
  } catch (err) {
    const message = scrubSecrets(String((err as Error).message ?? err), secrets);
    return { ok: false, durationMs: ms(), ...none, failure: explainErpProblem(message, erp.type) };
  } finally {
    await source.close().catch(() => undefined);
  }
}
