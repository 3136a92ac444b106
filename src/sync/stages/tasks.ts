/**
 * The plan's unit: one write to the PIM (a scheduler Task) with what the run needs to settle it.
 * Planning produces plain lists of these; applying sends them and settles each line.
 */
import type { MappedEntity, MediaUploadRequest } from '../../mapping/types.js';
import type { Task } from '../scheduler.js';
import type { EntityState } from '../state/port.js';

type WriteKind = 'option' | 'category' | 'product_model' | 'product';

export interface TaskCtx {
  type: WriteKind;
  code: string;
  label: string;
  origin: { stream: string; key: string; updatedAt: string | null } | null;
  groupKey: string | null;
  pimId: string | null;
  nextHashes: Record<string, string>;
  /** What the write does to the record: normal, or applying the deletion policy. */
  effect: 'write' | 'policy';
  /** A product gone from the ERP (full run); not a record read in this run. */
  gone?: boolean;
  /** State status to store once the write succeeded. */
  statusAfter: EntityState['status'];
  /** Not in the PIM as far as Ferry knows: a create (whatever a retry's answer says). */
  create?: boolean;
  /** A failed attempt may have been written by the PIM (5xx, no answer): a later 204 does not make a create an update. */
  maybeWritten?: boolean;
  option?: { attribute: string; code: string };
  /**
   * A queued run's shard: another shard claimed this option (ShardHooks.claimOptions); the task
   * waits until the state says it is written instead of writing it (lane `await-option`).
   */
  awaitOnly?: boolean;
  media?: MediaUploadRequest;
}

/** One planned write. */
export type SyncTask = Task<TaskCtx>;

/** Lanes of options another shard of a queued run writes (`await-option:<attribute>`): their tasks wait, they send nothing. */
export const AWAIT_OPTION_LANE = 'await-option:';

/** Lane order: options → categories → root models → sub-models → products → deletions → media. */
export const RANK: Record<string, number> = { option: 0, category: 1, root_model: 2, sub_model: 3, product: 4, delete: 5, media: 6 };

export function rankOf(e: MappedEntity): number {
  if (e.kind === 'category') return RANK.category!;
  if (e.kind === 'product_model') return e.parent ? RANK.sub_model! : RANK.root_model!;
  return RANK.product!;
}

/**
 * Where planning reports an entity it settled without a write (unchanged, skipped, held back),
 * so the tasks that depend on it are released or held: the applying stage's scheduler.
 */
export interface SettledNotes {
  markSettled(id: string, ok: boolean, reason?: string): void;
}
