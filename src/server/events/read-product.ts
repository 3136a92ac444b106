/** Re-reads a product an event names (Event Platform events carry no values), by uuid or identifier. */
import { search, type AkeneoClient } from '../../akeneo/index.js';
import type { ProductState } from './intake.js';

export async function readProductForEvent(client: AkeneoClient, key: string, identifier: string | null): Promise<ProductState | null> {
  const mode = await client.products.mode();
  if (mode === 'uuid') {
    const p = await client.products.find(key);
    return p ? { identifier: p.identifier ?? identifier, values: p.values ?? {}, categories: p.categories ?? [] } : null;
  }
  if (identifier) {
    const p = await client.products.find(identifier);
    return p ? { identifier: p.identifier ?? identifier, values: p.values ?? {}, categories: p.categories ?? [] } : null;
  }
  // Identifier endpoints and an event that names only the uuid: search by uuid.
  for await (const p of client.products.list({ search: search().uuids([key]) })) return { identifier: p.identifier ?? null, values: p.values ?? {}, categories: p.categories ?? [] };
  return null;
}
