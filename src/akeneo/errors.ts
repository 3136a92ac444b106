/**
 * Typed errors of the Akeneo client. Each carries what a user needs to act (status, Akeneo's
 * message and `errors` list, the request's method and path) and never a secret: paths are
 * stripped of their query string's credentials and messages pass through scrubSecrets.
 */
import { scrubSecrets } from '../logging.js';
import type { ValidationErrorItem } from './model.js';

export interface AkeneoErrorInit {
  status?: number;
  message: string;
  errors?: ValidationErrorItem[];
  method?: string;
  path?: string;
  /** Akeneo's documentation link, when the body carried one. */
  documentation?: string;
  cause?: unknown;
}

/** Describes one `errors[]` item as "attribute name (fr_FR, ecommerce): message". */
export function describeValidationItem(item: ValidationErrorItem): string {
  const where = item.attribute ?? item.property;
  const ctx = [item.locale, item.scope].filter((x): x is string => typeof x === 'string' && x.length > 0);
  const head = where ? `${where}${ctx.length ? ` (${ctx.join(', ')})` : ''}: ` : '';
  return `${head}${item.message}`;
}

function hintFor(status: number | undefined): string {
  switch (status) {
    case 400:
      return 'The request body is not valid JSON; this is a Ferry bug, please report it.';
    case 401:
      return 'The token was refused; check the pim credentials in ferry.yaml.';
    case 403:
      return "The connection's role lacks a permission (Akeneo: System > Roles), or the payload is too large.";
    case 404:
      return 'The resource does not exist, or the connection is not allowed to see it (EE permissions).';
    case 405:
    case 406:
    case 415:
      return 'The PIM does not support this call; check the PIM version and pim.endpoints.';
    case 413:
      return 'The request was too large; send fewer or smaller items.';
    case 414:
      return 'The URL was too long; use shorter search lists.';
    case 422:
      return 'Fix the data named above and send it again.';
    case 429:
      return 'The PIM throttled the calls; lower pim.limits or retry later.';
    default:
      if (status !== undefined && status >= 500) return 'The PIM failed; retry later, and check its logs if it persists.';
      return '';
  }
}

/** Base error: an Akeneo call that failed. */
export class AkeneoError extends Error {
  readonly status: number | undefined;
  readonly errors: ValidationErrorItem[];
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly documentation: string | undefined;

  constructor(init: AkeneoErrorInit) {
    super(scrubSecrets(init.message), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'AkeneoError';
    this.status = init.status;
    this.errors = init.errors ?? [];
    this.method = init.method;
    this.path = init.path === undefined ? undefined : safePath(init.path);
    this.documentation = init.documentation;
  }

  /** Reads as one sentence a user can act on: what was called, what Akeneo said, what to do. */
  override toString(): string {
    const call = this.method && this.path ? `${this.method} ${this.path}` : 'The Akeneo call';
    const status = this.status !== undefined ? ` failed with HTTP ${this.status}` : ' failed';
    let text = `${call}${status}: ${this.message.replace(/\.?$/, '.')}`;
    if (this.errors.length > 0) text += ` Problems: ${this.errors.map(describeValidationItem).join('; ')}`.replace(/([^.!?])$/, '$1.');
    const hint = this.hint();
    if (hint) text += ` ${hint}`;
    if (this.documentation) text += ` See ${this.documentation}`;
    return scrubSecrets(text);
  }

  protected hint(): string {
    return hintFor(this.status);
  }
}

export type AuthProblem = 'client' | 'user' | 'refresh' | 'token' | 'app' | 'unknown';

/** Authentication failed; `problem` says which credential is wrong. */
export class AkeneoAuthError extends AkeneoError {
  readonly problem: AuthProblem;
  constructor(init: AkeneoErrorInit & { problem: AuthProblem }) {
    super(init);
    this.name = 'AkeneoAuthError';
    this.problem = init.problem;
  }
  protected override hint(): string {
    switch (this.problem) {
      case 'client':
        return 'The client id or secret is wrong: check pim.clientId and pim.secret (Akeneo: Connect > Connection settings).';
      case 'user':
        return 'The username or password is wrong: check pim.username and pim.password (regenerate the password in the connection settings if unsure).';
      case 'refresh':
        return 'The refresh token expired; Ferry requests a new token with the password grant.';
      case 'token':
        return 'The access token was refused: check pim.token, or the App was disconnected in the PIM.';
      case 'app':
        return 'The App authorization failed: restart the App activation (codes expire after 30 seconds).';
      default:
        return 'Check the pim credentials in ferry.yaml.';
    }
  }
}

/** The PIM could not be reached or did not answer in time. */
/** TLS verification failures (Node's codes): the PIM's certificate is not trusted here, a setting to fix, not a blip to retry. */
export const CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export class AkeneoNetworkError extends AkeneoError {
  readonly code: string | undefined;
  readonly timedOut: boolean;
  /** True when the request certainly never reached the server (so even a POST may be retried). */
  readonly beforeSend: boolean;
  constructor(init: AkeneoErrorInit & { code?: string; timedOut?: boolean; beforeSend?: boolean }) {
    super(init);
    this.name = 'AkeneoNetworkError';
    this.code = init.code;
    this.timedOut = init.timedOut ?? false;
    this.beforeSend = init.beforeSend ?? false;
  }
  protected override hint(): string {
    if (this.timedOut) return 'The PIM did not answer in time: raise pim.timeoutMs or check the PIM load.';
    if (CERTIFICATE_CODES.has(this.code ?? '')) return "The PIM's TLS certificate is not trusted here: give Node the CA that signed it (NODE_EXTRA_CA_CERTS=/path/ca.pem) before starting Ferry, or use the PIM's public https address.";
    return 'Check pim.url, the network and that the PIM is running.';
  }
}

/** Drops the query string's values that could carry secrets and any user-info part. */
export function safePath(path: string): string {
  let out = path.replace(/\/\/[^/@]*@/, '//');
  out = out.replace(/([?&](?:access_token|token|password|secret|refresh_token|code|client_secret)=)[^&]*/gi, '$1[redacted]');
  return scrubSecrets(out);
}
