/**
 * `ferry check`'s second half, shared by the CLI and the Console's Check button: reads the ERP
 * items (all, or the first `limit`) with their groups, groups them as the sync does, and maps each
 * whole group: what the sync would hold back or drop, before it runs.
 */
import type { ErpRecord, ErpSource, StreamDescription } from '../erp/port.js';
import { axisProblems, AxisSampler, checkRecords, createMapper, planBootstrap, resolveMapping, type PimStructure } from '../mapping/index.js';
import type { MappingConfig } from '../mapping/config.js';
import type { RecordsCheck } from '../mapping/check.js';
import { GroupingIndex } from '../sync/grouping.js';

export async function checkAllRecords(config: MappingConfig, pim: PimStructure, source: ErpSource, description: StreamDescription[], limit: number | null): Promise<RecordsCheck> {
  const mapping = resolveMapping(config);
  const mapper = createMapper(mapping, pim);
  const index = new GroupingIndex();
  const sampler = new AxisSampler(mapping);
  try {
    let read = 0;
    let complete = true;
    for await (const item of source.read('items')) {
      if (limit !== null && read >= limit) {
        complete = false;
        break;
      }
      if (index.add(item)) read++;
      sampler.add(item);
    }
    // Groups whose items no field tells apart, and family variants the groups need: before any sync.
    const axes = axisProblems(planBootstrap(mapping, pim, description, { samples: sampler.samples() }));
    const groups = new Map<string, ErpRecord>();
    const keys = index.groupKeys();
    if (keys.length && source.streams.includes('groups')) for await (const g of source.read('groups', { keys })) groups.set(g.key, g);
    const all = function* () {
      for (const chunk of index.chunks(200)) yield* chunk;
    };
    const records = checkRecords(mapper, all(), groups, complete);
    records.problems.unshift(...axes);
    return records;
  } finally {
    index.close();
  }
}
