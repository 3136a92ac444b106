/**
 * Akeneo's three error envelopes, and the control flow the rules use to produce them.
 *
 * The rules mirror Akeneo's controllers, which stop at the first updater error (documented
 * envelope) but collect every validation violation. A thrown RuleFailure carries the finished
 * body up to the public apply* functions, which turn it into `{ ok: false, ... }`.
 */
import type { ErrorBody, ValidationErrorItem } from '../../akeneo/model.js';

export const DOC_SUFFIX = ' Check the expected format on the API documentation.';
const API_REFERENCE = 'http://api.akeneo.com/api-reference.html#';

export class RuleFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
}

/** `{code, message}`: transport errors, URL/body mismatches and a few special cases. */
export function plain(status: number, message: string): RuleFailure {
  return new RuleFailure(status, { code: status, message });
}

/** Updater/format errors: message + suffix + documentation link to the endpoint's anchor. */
export function documented(message: string, anchor: string): RuleFailure {
  return new RuleFailure(422, {
    code: 422,
    message: message + DOC_SUFFIX,
    _links: { documentation: { href: API_REFERENCE + anchor } },
  });
}

/** A documented-style body whose link is not an API-reference anchor (and without the suffix). */
export function linked(message: string, href: string): RuleFailure {
  return new RuleFailure(422, { code: 422, message, _links: { documentation: { href } } });
}

/** Business validation: every violation, duplicates (same property + message) dropped. */
export function violations(errors: ValidationErrorItem[]): RuleFailure {
  const seen = new Set<string>();
  const unique: ValidationErrorItem[] = [];
  for (const e of errors) {
    const key = JSON.stringify([e.property, e.attribute, e.locale, e.scope, e.message]);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(e);
  }
  return new RuleFailure(422, { code: 422, message: 'Validation failed.', errors: unique });
}

export function fieldViolation(property: string, message: string): ValidationErrorItem {
  return { property, message };
}

export function valueViolation(
  attribute: string,
  locale: string | null,
  scope: string | null,
  message: string,
  extra?: Record<string, unknown>,
): ValidationErrorItem {
  return { property: 'values', message, attribute, locale, scope, ...extra };
}

/** Runs a rule body, converting a RuleFailure into the contract's failure result. */
export function guard<T>(body: () => T): T | { ok: false; status: number; body: ErrorBody } {
  try {
    return body();
  } catch (e) {
    if (e instanceof RuleFailure) return { ok: false, status: e.status, body: e.body };
    throw e;
  }
}
