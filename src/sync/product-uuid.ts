/**
 * The uuid Ferry gives a product it creates (uuid mode, Akeneo 7.0+ and SaaS).
 *
 * Derived from the identifier (UUID v5 in Ferry's own namespace) rather than drawn at random,
 * so a run that dies between sending a product and recording it sends the very same uuid
 * again: the PIM upserts instead of refusing a duplicate identifier, and the state needs no
 * "reserved id" row before every create (that row was a second SQLite write per new product).
 */
import { parse as parseUuid, v5 as uuidV5 } from 'uuid';

/** Ferry's namespace for product uuids (a fixed random v4; never change it: existing PIMs hold these ids). */
const FERRY_PRODUCT_NAMESPACE = parseUuid('6f6a3c1e-1d4b-4c52-9a8e-4a0b8f3e2d17');

export function productUuidFor(identifier: string): string {
  // The namespace is passed as bytes: as text, uuid would parse it again on every call.
  return uuidV5(identifier, FERRY_PRODUCT_NAMESPACE);
}
