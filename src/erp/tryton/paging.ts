/**
 * Keyset paging over a Tryton model: `[domain, ['id', '>', last]]` ordered by id, a few
 * hundred ids per call, only the fields asked for. Offsets would re-scan and shift when
 * rows are inserted mid-read; the id key cannot.
 */
import { ErpError } from '../port.js';
import { TrytonDateTime } from './codec.js';
import type { TrytonConnection } from './session.js';

export type Domain = unknown[];

export async function* pagesOf(
  conn: TrytonConnection,
  model: string,
  domain: Domain,
  fields: string[],
  pageSize: number,
  signal?: AbortSignal,
): AsyncGenerator<Record<string, unknown>[]> {
  let last = 0;
  for (;;) {
    signal?.throwIfAborted();
    const rows = (await conn.model(model, 'search_read', [[...domain, ['id', '>', last]], 0, pageSize, [['id', 'ASC']], fields], {
      active_test: false,
    })) as Record<string, unknown>[];
    if (!rows.length) return;
    yield rows;
    last = Number(rows[rows.length - 1]!.id);
    if (rows.length < pageSize) return;
  }
}

/** Parses `since` and widens it by the skew margin; a bad value is a config error naming the fix. */
export function deltaStart(since: string | undefined, skewSeconds: number): TrytonDateTime | null {
  if (since === undefined || since === '') return null;
  const t = TrytonDateTime.parseIso(since);
  if (!t) throw new ErpError(`"since" must be an ISO-8601 date or datetime such as 2024-06-11T10:00:00Z, got ${JSON.stringify(since)}.`, 'config');
  return t.minusSeconds(skewSeconds);
}

/** `OR(path.write_date >= t, path.create_date >= t)` for each path ('' = the record itself). */
export function changedSince(t: TrytonDateTime, paths: string[]): Domain {
  const clauses: unknown[] = ['OR'];
  for (const p of paths) {
    const prefix = p ? `${p}.` : '';
    // write_date is NULL on rows never written after their creation: create_date covers them.
    clauses.push([`${prefix}write_date`, '>=', t], [`${prefix}create_date`, '>=', t]);
  }
  return clauses;
}

export function latest(...dates: unknown[]): TrytonDateTime | null {
  let best: TrytonDateTime | null = null;
  for (const d of dates) if (d instanceof TrytonDateTime && (!best || d.micros > best.micros)) best = d;
  return best;
}
