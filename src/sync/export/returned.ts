/**
 * After an import: the products Ferry exported that the import has now synced back from the ERP
 * (the state knows them as synced) become `in_erp`. Only the status attribute is written, never
 * Julia's fields.
 */
import type { AkeneoClient } from '../../akeneo/index.js';
import { search } from '../../akeneo/search.js';
import type { ExportConfig } from '../../mapping/export/config.js';
import type { StateStore } from '../state/port.js';
import { STATUS } from './find.js';
import { skuOf } from './run.js';
import { writeStatuses, type StatusUpdate } from './status.js';

export async function markReturnedInErp(client: AkeneoClient, state: StateStore, config: ExportConfig): Promise<{ marked: number; failed: string[] }> {
  const mode = await client.products.mode();
  const identifierAttribute = await client.products.identifierAttribute();
  const waiting = new Map<string, string>();
  for await (const p of client.products.list({ search: search().in(config.status.attribute, [STATUS.exported]).build(), attributes: [identifierAttribute, config.status.attribute] })) {
    const sku = skuOf(p, identifierAttribute);
    const pimId = mode === 'uuid' ? p.uuid : p.identifier;
    if (sku && pimId) waiting.set(sku, pimId);
  }
  let marked = 0;
  const failed: string[] = [];
  const skus = [...waiting.keys()];
  for (let i = 0; i < skus.length; i += config.batchSize) {
    const chunk = skus.slice(i, i + config.batchSize);
    const synced = await state.getEntities('product', chunk);
    const updates: StatusUpdate[] = chunk
      .filter((sku) => synced.get(sku)?.status === 'synced')
      .map((sku) => ({ pimId: waiting.get(sku)!, status: STATUS.inErp, message: null }));
    const refused = await writeStatuses(client, updates, config, mode, identifierAttribute);
    marked += updates.length - refused.size;
    for (const [id, message] of refused) failed.push(`${id}: ${message}`);
  }
  return { marked, failed };
}
