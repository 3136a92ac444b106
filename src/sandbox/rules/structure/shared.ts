/** Pieces shared by the structure writers (attributes, families, categories...). */
import type { ValidationErrorItem } from '../../../akeneo/model.js';
import type { StructureWriteContext } from '../contract.js';
import { documented, fieldViolation, plain, violations } from '../errors.js';
import { gettype, isPlainObject } from '../php.js';

export const CODE_RE = /^[a-zA-Z0-9_]+$/;

/** Where a structure write stands before it reads the body's fields. */
export interface Draft<T> {
  /** The documentation anchor of the endpoint, for 422s about the body's shape. */
  anchor: string;
  patch: Record<string, unknown>;
  /** The resource being changed; null when the write creates it (a POST always does). */
  current: T | null;
  /** Violations collected so far; `finish` throws them all at once, in Akeneo's order. */
  errors: ValidationErrorItem[];
  code: string;
}

/**
 * The opening the plain structure writes share, in Akeneo's order: a body that is not an object
 * is a 400 before its code is looked at. Writers that must first find an enclosing entity
 * (options, family variants) open by hand, because that 404 comes before the code's 422.
 */
export function openDraft<T extends { code: string }>(
  existing: T | null,
  input: unknown,
  ctx: StructureWriteContext,
  anchorOf: (method: 'POST' | 'PATCH') => string,
): Draft<T> {
  const anchor = anchorOf(ctx.method);
  const patch = asObject(input);
  const current = ctx.method === 'POST' ? null : existing;
  const errors: ValidationErrorItem[] = [];
  const code = resolveCode(patch, current?.code, ctx.urlKey, ctx.method, errors);
  return { anchor, patch, current, errors, code };
}

export function asObject(input: unknown): Record<string, unknown> {
  if (Array.isArray(input) && input.length === 0) return {};
  if (!isPlainObject(input)) throw plain(400, 'Invalid json message received');
  return input;
}

/**
 * The code of the written resource: from the body or the URL. A creating PATCH whose body code
 * differs from the URL is a plain 422; changing the code of an existing resource is a violation.
 */
export function resolveCode(
  patch: Record<string, unknown>,
  existingCode: string | undefined,
  urlKey: string | undefined,
  method: 'POST' | 'PATCH',
  errors: ValidationErrorItem[],
  mismatch: (body: string, url: string) => string = (b, u) =>
    `The code "${b}" provided in the request body must match the code "${u}" provided in the url.`,
): string {
  const body = patch.code;
  if (body !== undefined && body !== null && typeof body !== 'string') {
    throw plain(422, `Property "code" expects a string as data, "${gettype(body)}" given.`);
  }
  if (existingCode !== undefined) {
    if (typeof body === 'string' && body !== existingCode) errors.push(fieldViolation('code', 'This property cannot be changed.'));
    return existingCode;
  }
  if (method === 'PATCH' && urlKey !== undefined) {
    if (typeof body === 'string' && body !== urlKey) throw plain(422, mismatch(body, urlKey));
    return urlKey;
  }
  return typeof body === 'string' ? body : '';
}

export function checkCode(code: string, errors: ValidationErrorItem[], invalidMessage: string, maxLength?: number): void {
  if (code === '') errors.push(fieldViolation('code', 'This value should not be blank.'));
  else if (!CODE_RE.test(code)) errors.push(fieldViolation('code', invalidMessage));
  if (maxLength !== undefined && code.length > maxLength) {
    errors.push(fieldViolation('code', `This value is too long. It should have ${maxLength} characters or less.`));
  }
}

/** A created resource may not take a code in use; `taken` is the catalog's lookup for that kind. */
export function checkCodeFree(code: string, current: object | null, errors: ValidationErrorItem[], taken: (code: string) => unknown): void {
  if (!current && code !== '' && taken(code)) errors.push(fieldViolation('code', 'This value is already used.'));
}

export function readBoolean(field: string, raw: unknown, anchor: string): boolean {
  if (typeof raw !== 'boolean') throw documented(`Property "${field}" expects a boolean as data, "${gettype(raw)}" given.`, anchor);
  return raw;
}

export function readInteger(field: string, raw: unknown, anchor: string): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw)) {
    throw documented(`Property "${field}" expects an integer as data, "${gettype(raw)}" given.`, anchor);
  }
  return raw;
}

export function readStringOrNull(field: string, raw: unknown, anchor: string): string | null {
  if (raw === null) return null;
  if (typeof raw !== 'string') throw documented(`Property "${field}" expects a string as data, "${gettype(raw)}" given.`, anchor);
  return raw;
}

export function readList(field: string, raw: unknown, anchor: string): string[] {
  if (!Array.isArray(raw)) throw documented(`Property "${field}" expects an array as data, "${gettype(raw)}" given.`, anchor);
  for (const item of raw) {
    if (typeof item !== 'string') {
      throw documented(`Property "${field}" expects an array with valid data, one of the values is not a string.`, anchor);
    }
  }
  return [...new Set(raw as string[])];
}

export function unknownProperty(key: string, anchor: string): never {
  throw documented(`Property "${key}" does not exist.`, anchor);
}

export function finish(errors: ValidationErrorItem[]): void {
  if (errors.length > 0) throw violations(errors);
}

export function anchors(post: string, patch: string) {
  return (method: 'POST' | 'PATCH') => (method === 'POST' ? post : patch);
}
