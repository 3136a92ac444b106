/**
 * A run spread over workers (src/jobs): what the parts of one run are, and how its items are cut
 * into shards. Pure: no queue, no database.
 *
 * A queued run has three kinds of part, all under the one run row the queue took (and its run
 * lock): the plan (categories, options, a full run's deletions, then the item keys in scope), the
 * shards (the engine on their keys only) and the settle (src/app/jobs.ts: one report, watermarks,
 * lock released). A group (a product model with its variants) is mapped from all its members at
 * once, so it is never split: a shard holds whole groups.
 */
import type { ReferenceOutcome } from './stages/references.js';

/** One group of ERP items that must travel together (a lone item is a group of one). */
export interface ItemGroup {
  key: string;
  items: string[];
}

/** What the plan part hands over: the groups in scope and the watermarks the run may move to. */
export interface RunPlan {
  groups: ItemGroup[];
  /** Per stream, where the watermark goes once every shard settled (as the one-process run would move it). */
  watermarks: Record<string, string | null>;
}

/**
 * Part of a run spread over workers: the caller holds the run lock and the run's row, so the
 * engine takes neither, finishes no run and moves no watermark (the settle does).
 * - `plan`: categories, options and a full run's deletions, like a one-process run; the items in
 *   scope are read for their keys and handed to `onPlan` instead of being synced.
 * - `shard`: the items of `keys` (whole groups), outcomes stored under the parent run.
 */
export type RunPart = { role: 'plan'; runId: number; onPlan: (plan: RunPlan) => Promise<void> } | ({ role: 'shard'; runId: number } & ShardHooks);

/** What a shard tells and asks its queue beyond its report (src/app/jobs.ts keeps it). */
export interface ShardHooks {
  /**
   * Called once the shard's records are read, before it writes anything: of `records`
   * (`stream\u0000key`), what an earlier attempt of this shard (a worker killed mid-shard, a shard
   * stopped at its lease) did that this attempt cannot see as such. The run's report counts both
   * kinds created, the outcome they had in this run:
   * - `created`: created in the PIM and committed; this attempt finds them unchanged;
   * - `unconfirmed`: absent from the state then and now (a retry only): the earlier attempt may
   *   have written them without committing (killed with the batch on the wire); this attempt's
   *   create is then answered "updated";
   * - `updated`: updated in the PIM and committed by an earlier attempt (`onWritten`); this
   *   attempt finds them unchanged.
   */
  createdEarlier?: (records: readonly { stream: string; key: string }[]) => Promise<{ created: ReadonlySet<string>; unconfirmed: ReadonlySet<string>; updated?: ReadonlySet<string> }>;
  /**
   * After each batch the state committed: the records whose entities it created or updated in the
   * PIM. Kept by the queue, so a retry of the shard finds what its killed attempt `updated` (its
   * hashes are in the state: the retry finds them unchanged) and counts them updated
   * (`createdEarlier`'s `updated`). Not awaited: the batches do not wait for the queue's database
   * (the caller keeps them in order and flushes them before the shard's report is stored).
   */
  onWritten?: (records: { stream: string; key: string; outcome: 'created' | 'updated' }[]) => void;
  /**
   * After the shard's items (EE), keyed `reference_entity_record:<entity>:<code>` /
   * `asset:<family>:<code>` (lower case):
   * - `named`: the records and assets they named, for the deletion policy a full run applies once
   *   every shard is in (the settle); null when none needed writing;
   * - `outcomes`: what the shard did to each, so the settle counts one that several shards met once.
   */
  onReferenceData?: (data: { named: string[] | null; outcomes: Record<string, ReferenceOutcome> }) => void;
  /**
   * The new options this shard's items use (`attribute:code` as the state keys them) that no part
   * of the run has written yet: returns those this shard writes (claimed by it now, or by an earlier
   * attempt of it). Another shard writes the rest; this one waits until the state says they are
   * written (applying's `await-option` lane), so the shards starting together do not each send the
   * same options through Akeneo's 3 option writes/s.
   */
  claimOptions?: (codes: string[]) => Promise<ReadonlySet<string>>;
  /** How long to wait for an option another shard claimed before writing it here (default 20 s). */
  awaitOptionMs?: number;
}

/**
 * How many shards of a run are worked on at once, as the shard sizes assume: three workers of two
 * slots (`ferry worker`'s default concurrency). Only the first and the last shards' sizes depend on it.
 */
const SHARDS_AT_ONCE = 6;

/**
 * Cuts groups into shards of at most about `maxItems` items each, never splitting a group: a group
 * larger than `maxItems` is a shard of its own. Groups keep their order (the ERP's), so a shard
 * holds neighbours; every item appears in exactly one shard. The shards are taken in this order
 * (src/jobs/queue.ts), and their sizes follow the run's shape:
 *
 * - The first SHARDS_AT_ONCE shards take a quarter of `maxItems`: at a run's start every worker
 *   reads and maps its first shard before it writes anything, while the PIM's slots wait.
 * - The last ones get smaller (guided scheduling): once fewer than SHARDS_AT_ONCE × maxItems items
 *   are left, a shard takes a sixth of what is left, down to a fifth of `maxItems`. The workers
 *   then run out of work together instead of the last big shard running on alone while the others
 *   idle. Not smaller: each shard ends with a half-empty batch per kind of entity (root models,
 *   sub-models, products), which costs a PIM slot a request's fixed latency for fewer lines.
 */
export function planShards(groups: readonly ItemGroup[], maxItems: number): string[][] {
  if (!Number.isInteger(maxItems) || maxItems < 1) throw new Error(`shard size must be a positive whole number of items, got ${maxItems}`);
  const minItems = Math.max(1, Math.ceil(maxItems / 5));
  const firstItems = Math.max(minItems, Math.ceil(maxItems / 4));
  let left = groups.reduce((n, g) => n + g.items.length, 0);
  const shards: string[][] = [];
  const sizeNow = () => Math.min(shards.length < SHARDS_AT_ONCE ? firstItems : maxItems, Math.max(minItems, Math.ceil(left / SHARDS_AT_ONCE)));
  let current: string[] = [];
  let size = sizeNow();
  for (const g of groups) {
    if (g.items.length === 0) continue;
    if (current.length > 0 && current.length + g.items.length > size) {
      shards.push(current);
      left -= current.length;
      current = [];
      size = sizeNow();
    }
    current.push(...g.items);
  }
  if (current.length > 0) shards.push(current);
  return shards;
}
