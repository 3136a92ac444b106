/** The SKU generator's sequences in the state store: never the same number twice, even across processes' connections. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStateStore } from '../../../src/sync/state/sqlite.js';
import { tempDirs } from '../support/e2e.js';

const tempDir = tempDirs('ferry-sequence-');

describe('StateStore.nextSequence (SQLite)', () => {
  it('reserves blocks that never overlap under concurrent callers on two connections', async () => {
    const path = join(tempDir(), 'ferry.db');
    const a = await openSqliteStateStore(path);
    const b = await openSqliteStateStore(path);
    try {
      const draws = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).nextSequence('sku:FER{seq:7}', (i % 3) + 1).then((first) => ({ first, count: (i % 3) + 1 }))));
      const numbers = draws.flatMap((d) => Array.from({ length: d.count }, (_, k) => d.first + k));
      expect(new Set(numbers).size).toBe(numbers.length);
      expect(Math.min(...numbers)).toBe(1);
      expect(Math.max(...numbers)).toBe(numbers.length);
      // Another sequence starts at 1 on its own.
      expect(await a.nextSequence('sku:SHO-{seq:6}', 5)).toBe(1);
      expect(await b.nextSequence('sku:SHO-{seq:6}', 1)).toBe(6);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
