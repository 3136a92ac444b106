/**
 * Deletions: what the deletion policy (ignore, disable, uncategorize, delete) does to a product
 * archived in the ERP, and, after a full read, to the products Ferry synced whose item is gone.
 */
import { fingerprint } from '../hash.js';
import type { EntityState } from '../state/port.js';
import type { RunContext } from './context.js';
import { RANK, type SyncTask, type TaskCtx } from './tasks.js';

/** The delete task of a product (null in a dry run, which only counts it). */
export function planDelete(ctx: RunContext, identifier: string, stored: EntityState, origin: TaskCtx['origin'], gone: boolean, id: string): SyncTask | null {
  ctx.plan.actions.product!.delete++;
  if (ctx.dryRun) {
    if (origin && !gone) ctx.ledger.settle(origin.stream, origin.key, 'deleted', 'deleted from the PIM (deletion policy delete)');
    return null;
  }
  return {
    id: gone ? `gone:${id}` : id,
    lane: 'delete:product',
    rank: RANK.delete!,
    deps: [],
    attempts: 0,
    payload: {},
    ctx: {
      type: 'product',
      code: identifier,
      label: identifier,
      origin,
      groupKey: stored.groupKey,
      pimId: stored.pimId,
      nextHashes: stored.hashes,
      effect: 'policy',
      gone,
      statusAfter: 'deleted',
    },
  };
}

/**
 * Full run: products Ferry synced whose ERP item is gone (not in `seen`) follow the deletion
 * policy. Yields the tasks page by page of the state (none in a dry run, which only counts).
 */
export async function* planGone(ctx: RunContext, seen: ReadonlySet<string>): AsyncGenerator<SyncTask[]> {
  const policy = ctx.deps.settings.deletion;
  ctx.progress('deletions');
  for await (const keys of ctx.deps.state.listEntityKeys('product')) {
    ctx.checkAbort();
    const goneCodes = keys.filter((k) => k.originStream === 'items' && k.status === 'synced' && !seen.has(k.originKey)).map((k) => k.code);
    if (goneCodes.length === 0) continue;
    const rows = await ctx.deps.state.getEntities('product', goneCodes);
    const tasks: SyncTask[] = [];
    for (const row of rows.values()) {
      ctx.deletions.gone++;
      ctx.notePolicy('gone', row.code);
      if (policy === 'ignore') continue;
      let task: SyncTask | null;
      if (policy === 'delete') {
        task = planDelete(ctx, row.code, row, null, true, `product:${row.code}`);
      } else {
        ctx.plan.actions.product!.delete++;
        if (ctx.dryRun) continue;
        const payload: Record<string, unknown> = ctx.mode === 'uuid' ? { uuid: row.pimId } : { identifier: row.code };
        const nextHashes = { ...row.hashes };
        if (policy === 'disable') {
          payload.enabled = false;
          nextHashes['@enabled'] = fingerprint(false);
        } else {
          payload.categories = [];
          nextHashes['@categories'] = fingerprint([]);
        }
        task = {
          id: `gone:product:${row.code}`,
          lane: 'product',
          rank: RANK.product!,
          deps: [],
          attempts: 0,
          payload,
          ctx: {
            type: 'product',
            code: row.code,
            label: row.code,
            origin: null,
            groupKey: row.groupKey,
            pimId: row.pimId,
            nextHashes,
            effect: 'policy',
            gone: true,
            statusAfter: policy === 'disable' ? 'disabled' : 'uncategorized',
          },
        };
      }
      if (task && !ctx.dryRun) tasks.push(task);
    }
    if (tasks.length > 0) yield tasks;
  }
}
