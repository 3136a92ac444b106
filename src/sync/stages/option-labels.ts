/**
 * Option labels: the options of the ERP-owned select attributes as the ERP labels them
 * (describe()'s optionLabels, through Mapper.mapOptionLabels) → tasks that create the missing
 * options and update those whose ERP labels changed. Delta by hash, like values: the state keeps
 * the hash of the labels Ferry last wrote per option, so unchanged labels cost no request. An
 * option whose PIM labels already say the same (bootstrap made it, or someone fixed it by hand) is
 * only recorded. Runs before categories and items, so items wait for the options they use; the
 * client keeps option writes within Akeneo's fair-use rate.
 */
import type { Labels } from '../../akeneo/model.js';
import { labelsCovered } from '../../mapping/option-labels.js';
import { fingerprint } from '../hash.js';
import type { EntityState } from '../state/port.js';
import type { RunContext } from './context.js';
import { errorText } from './errors.js';
import type { PlannedIds } from './planned.js';
import type { SyncTask } from './tasks.js';

/** The state's hash key for an option's labels. */
export const LABELS_HASH = '@labels';

export function labelsHash(labels: Labels): string {
  return fingerprint(labels);
}

/** The option tasks of this run (none in a dry run, which only counts them). */
export async function planOptionLabels(ctx: RunContext, planned: PlannedIds): Promise<SyncTask[]> {
  const { mapper, source, state } = ctx.deps;
  // describe() may cost a sample read (files) or queries (SQL): asked only of a source that gives labels.
  if (!mapper.mapOptionLabels || !source.describesOptionLabels) return [];
  let wanted;
  try {
    wanted = mapper.mapOptionLabels(await source.describe());
  } catch (err) {
    // The labels are a refinement: the items still sync (with options created from their values).
    ctx.log?.warn({ runId: ctx.runId, err: errorText(err) }, 'could not read the ERP option labels (describe() failed); option labels are left as they are this run');
    return [];
  }
  if (wanted.length === 0) return [];
  const stateCode = (o: { attribute: string; code: string }) => `${o.attribute}:${o.code}`;
  const stored = await state.getEntities('option', wanted.map(stateCode));
  const tasks: SyncTask[] | null = ctx.dryRun ? null : [];
  const recorded: EntityState[] = [];
  for (const option of wanted) {
    const hash = labelsHash(option.labels);
    const row = stored.get(stateCode(option));
    if (row?.hashes[LABELS_HASH] === hash) continue;
    const hashes = { [LABELS_HASH]: hash };
    if (labelsCovered(option.labels, option.current)) {
      recorded.push({ type: 'option', code: stateCode(option), pimId: null, originStream: 'attributes', originKey: option.attribute, groupKey: null, hashes, erpVersion: null, status: 'synced' });
      continue;
    }
    const { current: _current, ...mapped } = option;
    planned.option(mapped, tasks, { update: option.current !== null, hashes });
  }
  if (recorded.length > 0 && !ctx.dryRun) await state.saveEntities(recorded);
  return tasks ?? [];
}
