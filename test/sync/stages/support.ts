/** A run context over the fakes and an in-memory state, to test one stage without the engine. */
import type { EngineDeps, SyncOptions } from '../../../src/sync/engine.js';
import { RunContext } from '../../../src/sync/stages/context.js';
import { SqliteStateStore } from '../../../src/sync/state/sqlite.js';
import { FakeErp, FakePim, fakeMapper } from '../fakes.js';

export interface StageWorld {
  erp: FakeErp;
  pim: FakePim;
  state: SqliteStateStore;
  deps: EngineDeps;
  ctx: RunContext;
}

export async function stageWorld(options: SyncOptions = {}, over: Partial<EngineDeps> = {}): Promise<StageWorld> {
  const erp = new FakeErp();
  const pim = new FakePim();
  const state = new SqliteStateStore(':memory:');
  await state.migrate();
  const deps: EngineDeps = { source: erp, client: pim, mapper: fakeMapper(), state, settings: { deletion: 'disable', updateOnly: false }, lockName: 'test', ...over };
  return { erp, pim, state, deps, ctx: new RunContext(deps, options) };
}
