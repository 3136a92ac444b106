/**
 * Writes the export's outcome back to the PIM in batches: `exported` and the ERP's id, or
 * `error` and `erp_message` in plain words (and a generated SKU before the export).
 */
import type { AkeneoClient } from '../../akeneo/index.js';
import type { Product, Values } from '../../akeneo/model.js';
import type { ExportConfig } from '../../mapping/export/config.js';

/** Akeneo's text attributes hold at most 255 characters. */
const MAX_TEXT = 255;

export interface StatusUpdate {
  /** uuid (uuid endpoints) or identifier. */
  pimId: string;
  status?: string;
  message?: string | null;
  erpId?: string | null;
  /** A new identifier (the generated or the ERP's SKU). */
  sku?: string;
}

function text(value: string | null): string | null {
  if (value === null || value === '') return null;
  return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT - 1)}…` : value;
}

export function statusPayload(update: StatusUpdate, config: ExportConfig, mode: 'uuid' | 'identifier', identifierAttribute: string): Product {
  const values: Values = {};
  const plain = (data: unknown) => [{ locale: null, scope: null, data }];
  if (update.status !== undefined) values[config.status.attribute] = plain(update.status);
  if (update.message !== undefined) values[config.status.message] = plain(text(update.message));
  if (update.erpId !== undefined && config.status.erpId) values[config.status.erpId] = plain(text(update.erpId));
  if (update.sku !== undefined) values[identifierAttribute] = plain(update.sku);
  return mode === 'uuid' ? { uuid: update.pimId, values } : { identifier: update.pimId, values };
}

/** Sends the updates; returns the failures by pimId with the PIM's words. */
export async function writeStatuses(
  client: AkeneoClient,
  updates: readonly StatusUpdate[],
  config: ExportConfig,
  mode: 'uuid' | 'identifier',
  identifierAttribute: string,
): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  if (updates.length === 0) return failed;
  const results = await client.products.upsertMany(updates.map((u) => statusPayload(u, config, mode, identifierAttribute)));
  for (const r of results) {
    if (r.outcome === 'failed') failed.set(updates[r.index]!.pimId, r.message ?? `the PIM answered ${r.status}`);
  }
  return failed;
}
