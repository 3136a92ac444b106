/**
 * A dry run's "before and after": the engine's plan carries the bodies it would send (after);
 * the state keeps only fingerprints of what Ferry wrote, so the values as they are now (before)
 * are read from the PIM, one GET per planned record, for the first records of the plan only
 * (the page shows at most that many). Each changed value or field becomes one line:
 * what, where (locale / channel), before, after.
 */
import type { AkeneoClient } from '../../akeneo/index.js';
import { scrubSecrets } from '../../logging.js';
import type { RunReport } from '../../sync/index.js';

export interface PlannedChange {
  /** `values.weight`, `family`, `categories`, `labels`, `parent`, … */
  field: string;
  locale: string | null;
  scope: string | null;
  /** null: the PIM has no value (or the record does not exist yet). */
  before: unknown;
  after: unknown;
}

type PlannedPayload = NonNullable<NonNullable<RunReport['plan']>['payloads']>[number] & { changes?: PlannedChange[]; beforeError?: string };

/** Fields that name the record rather than change it. */
const IDENTITY = new Set(['uuid', 'identifier', 'code']);

interface ValueEntry {
  locale?: string | null;
  scope?: string | null;
  data?: unknown;
}

function sameSlot(a: ValueEntry, b: ValueEntry): boolean {
  return (a.locale ?? null) === (b.locale ?? null) && (a.scope ?? null) === (b.scope ?? null);
}

/** The lines of one planned body against the record as the PIM has it now (null: not there). */
export function changesOf(payload: Record<string, unknown>, current: Record<string, unknown> | null): PlannedChange[] {
  const out: PlannedChange[] = [];
  for (const [field, after] of Object.entries(payload)) {
    if (IDENTITY.has(field)) continue;
    if (field === 'values' && after && typeof after === 'object') {
      const now = (current?.values ?? {}) as Record<string, ValueEntry[]>;
      for (const [attribute, entries] of Object.entries(after as Record<string, ValueEntry[]>)) {
        for (const entry of entries ?? []) {
          const before = (now[attribute] ?? []).find((e) => sameSlot(e, entry));
          out.push({ field: `values.${attribute}`, locale: entry.locale ?? null, scope: entry.scope ?? null, before: before?.data ?? null, after: entry.data ?? null });
        }
      }
      continue;
    }
    if (field === 'labels' && after && typeof after === 'object') {
      const now = (current?.labels ?? {}) as Record<string, unknown>;
      for (const [locale, label] of Object.entries(after as Record<string, unknown>)) out.push({ field: 'labels', locale, scope: null, before: now[locale] ?? null, after: label });
      continue;
    }
    out.push({ field, locale: null, scope: null, before: current?.[field] ?? null, after });
  }
  return out;
}

async function currentOf(client: AkeneoClient, p: PlannedPayload): Promise<Record<string, unknown> | null> {
  if (p.action === 'create') return null;
  const body = (p.payload ?? {}) as Record<string, unknown>;
  let found: unknown;
  if (p.entityType === 'product') {
    const key = typeof body.uuid === 'string' ? body.uuid : typeof body.identifier === 'string' ? body.identifier : p.code;
    found = await client.products.find(key);
  } else if (p.entityType === 'product_model') found = await client.productModels.find(p.code);
  else if (p.entityType === 'category') found = await client.categories.find(p.code);
  return (found as Record<string, unknown> | undefined) ?? null;
}

/**
 * Adds `changes` (before / after per value) to the first `limit` planned bodies of a dry run's
 * report, in place. A record the PIM cannot be asked about keeps its body and says why
 * (`beforeError`); the plan itself never fails for it.
 */
export async function addBeforeValues(client: AkeneoClient, report: RunReport, limit = 200, parallel = 4): Promise<void> {
  const payloads = (report.plan?.payloads ?? []).slice(0, limit) as PlannedPayload[];
  let next = 0;
  const worker = async () => {
    while (next < payloads.length) {
      const p = payloads[next++]!;
      const body = (p.payload ?? {}) as Record<string, unknown>;
      try {
        p.changes = changesOf(body, await currentOf(client, p));
      } catch (err) {
        p.changes = changesOf(body, null).map((c) => ({ ...c, before: null }));
        p.beforeError = scrubSecrets(`the PIM could not be asked for the current values: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, payloads.length) }, worker));
}
