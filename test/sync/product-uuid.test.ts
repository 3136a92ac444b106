import { describe, expect, it } from 'vitest';
import { productUuidFor } from '../../src/sync/product-uuid.js';

describe('productUuidFor', () => {
  it('is a version-5 uuid, the same for the same identifier on every call and in every process', () => {
    const u = productUuidFor('tshirt_red');
    expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(productUuidFor('tshirt_red')).toBe(u);
    // Pinned: PIMs already hold products under these uuids, so the namespace may never change.
    // The values come from the `uuid` package's v5 (a reference implementation), not from this code.
    expect(u).toBe('ca8d1b0d-242e-57f1-be78-d250aa293eb8');
    expect(productUuidFor('ABC-1')).toBe('bd8cf18a-f0c9-5c54-b42c-fd76fb5c544d');
    expect(productUuidFor('ÉTÉ-1')).toBe('24a6d422-2011-51f1-a070-75ae9087a3fb'); // UTF-8 bytes of the name
    expect(productUuidFor('')).toBe('a693ec63-495e-5619-aaa0-75a56a1fba85');
    expect(productUuidFor('x'.repeat(300))).toBe('f039e333-dbdb-5a74-8fe7-aa93d7ce9508');
  });

  it('differs between identifiers, including ones that differ only in case', () => {
    const ids = ['A', 'a', 'A ', 'tshirt_red', 'tshirt_blue', 'ÉTÉ-1', ''];
    expect(new Set(ids.map(productUuidFor)).size).toBe(ids.length);
  });
});
