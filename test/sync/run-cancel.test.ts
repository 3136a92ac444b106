/** The stop request a Console leaves in the state for a run another process runs, and the run id it learns through the state. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/sync/index.js';
import { stateConfigSchema } from '../../src/sync/config.js';
import { announcingRunId, watchRunCancel } from '../../src/sync/run-cancel.js';
import { tempDirs } from './support/e2e.js';
import { stateStoreKinds } from './support/state-stores.js';

const tempDir = tempDirs('ferry-run-cancel-');
const kinds = await stateStoreKinds();

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

  it('a SQLite state where an earlier Console left a request in its own table keeps it (migration v9)', async () => {
    const path = join(tempDir(), 'ferry.db');
    const old = await openStateStore(stateConfigSchema.parse({ path }));
    await old.close();
    const db = new Database(path);
    // What the Console wrote before the table was the store's; the schema goes back to v8.
    db.exec('DELETE FROM schema_version WHERE version = 9; DROP TABLE run_cancel_requests');
    db.exec('CREATE TABLE IF NOT EXISTS run_cancel_requests (run_id INTEGER PRIMARY KEY, requested_by TEXT NOT NULL, requested_at TEXT NOT NULL)');
    db.prepare('INSERT INTO run_cancel_requests VALUES (?, ?, ?)').run(3, 'user:olga', '2026-01-01T00:00:00.000Z');
    db.close();
    const state = await openStateStore(stateConfigSchema.parse({ path }));
    expect(await state.runCancelRequest(3)).toEqual({ requestedBy: 'user:olga', requestedAt: '2026-01-01T00:00:00.000Z' });
    await state.close();
  });

  describe.each(kinds)('on $name', (kind) => {
    it('a request is seen by the watcher of that run only, once, with who asked; the first asker is kept', async () => {
      const state = await kind.open();
      const asked: string[] = [];
      let runId: number | null = null;
      const stop = watchRunCancel(state, () => runId, (by) => asked.push(by), 20);
      try {
        expect(await state.runCancelRequest(7)).toBeNull();
        await state.requestRunCancel(7, 'user:olga');
        await state.requestRunCancel(7, 'user:julia');
        expect((await state.runCancelRequest(7))?.requestedBy).toBe('user:olga');
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
      }
    });
  });
});
