/** The stop request a Console leaves for a terminal's run, and the run id it learns through the state. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/sync/index.js';
import { stateConfigSchema } from '../../src/sync/config.js';
import { announcingRunId, cancelRequestOf, requestRunCancel, watchRunCancel } from '../../src/sync/run-cancel.js';
import { tempDirs } from './support/e2e.js';

const tempDir = tempDirs('ferry-run-cancel-');

describe('run cancel requests', () => {
  it('announces the run id and keeps every startRun argument (the owner tells a dead run)', async () => {
    const path = join(tempDir(), 'ferry.db');
    const state = await openStateStore(stateConfigSchema.parse({ path }));
    let seen: number | null = null;
    const wrapped = announcingRunId(state, (id) => (seen = id));
    const id = await wrapped.startRun('delta', { full: false }, 'pid:4242@host');
    expect(seen).toBe(id);
    await state.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT owner FROM runs WHERE id = ?').get(id)).toEqual({ owner: 'pid:4242@host' });
    db.close();
  });

  it('a request is seen by the watcher of that run only, once, with who asked', async () => {
    const path = join(tempDir(), 'ferry.db');
    const db = new Database(path);
    const asked: string[] = [];
    let runId: number | null = null;
    const stop = watchRunCancel(path, () => runId, (by) => asked.push(by), 20);
    try {
      requestRunCancel(db, 7, 'user:olga');
      requestRunCancel(db, 7, 'user:julia');
      expect(cancelRequestOf(db, 7)?.requestedBy).toBe('user:olga');
      await new Promise((r) => setTimeout(r, 80));
      expect(asked).toEqual([]);
      runId = 8;
      await new Promise((r) => setTimeout(r, 80));
      expect(asked).toEqual([]);
      runId = 7;
      await expect.poll(() => asked, { timeout: 2000 }).toEqual(['user:olga']);
      await new Promise((r) => setTimeout(r, 80));
      expect(asked).toEqual(['user:olga']);
    } finally {
      stop();
      db.close();
    }
  });
});
