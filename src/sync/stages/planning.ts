/**
 * Planning: mapped entities → diff against the state → tasks. Maps categories and chunks of
 * whole groups, rejects what the mapping or an identifier collision refuses, adopts what the PIM
 * already has (update-only), applies the deletion policy to archived items, and turns every
 * changed entity into a task carrying only its changed values. An unchanged entity settles here
 * and costs no request.
 *
 * Produces plain task lists (parents before children); what settles without a write is told to
 * `notes` (the applying stage's scheduler; null in a dry run, which sends nothing).
 */
import { randomUUID } from 'node:crypto';
import type { ErpRecord } from '../../erp/port.js';
import { rejectMessage } from '../../mapping/messages.js';
import type { MappedEntity, MappedOption, MappingError, MediaUploadRequest } from '../../mapping/types.js';
import { diffEntity, entityCode } from '../diff.js';
import { STREAM_TYPES } from '../ledger.js';
import { productUuidFor } from '../product-uuid.js';
import { pimWouldRefuse } from '../refusals.js';
import type { ReportReject } from '../report.js';
import type { EntityState, EntityType, GroupMemberRow, RejectRow } from '../state/port.js';
import { adoptFromPim } from './adoption.js';
import { CollisionGuard } from './collisions.js';
import type { RunContext } from './context.js';
import { planDelete } from './deletions.js';
import { errorText } from './errors.js';
import type { MediaUploads } from './media.js';
import type { PlannedIds } from './planned.js';
import { rankOf, type SettledNotes, type SyncTask, type TaskCtx } from './tasks.js';

/** One group as the mapper gave it: its items, entities, the options they need and the media to upload. */
interface MappedGroup {
  items: ErpRecord[];
  entities: MappedEntity[];
  optionDeps: MappedOption[];
  media: MediaUploadRequest[];
}

export class Planner {
  /** State rows that need no write (unchanged entities whose ERP version moved, update-only absentees): saved with the chunk. */
  private versionUpdates: EntityState[] = [];
  /** Dry run: product models the PIM would refuse, so their children are flagged too. */
  private readonly refusedModels = new Set<string>();
  private readonly collisions: CollisionGuard;

  constructor(
    private readonly ctx: RunContext,
    private readonly media: MediaUploads,
    private readonly planned: PlannedIds,
    /** Where entities settled without a write are told (null: a dry run). */
    private readonly notes: SettledNotes | null,
  ) {
    this.collisions = new CollisionGuard(ctx);
  }

  /** The category tree's tasks, parents first (a dry run: none, only the plan's counts). */
  async planCategories(records: ErpRecord[]): Promise<SyncTask[]> {
    const { ctx } = this;
    const tasks: SyncTask[] = [];
    const result = ctx.deps.mapper.mapCategories(records);
    this.recordMappingErrors(result.errors);
    const codes = result.entities.map(entityCode);
    const stored = await ctx.deps.state.getEntities('category', codes);
    for (const entity of result.entities) {
      if (entity.kind !== 'category') continue;
      const task = await this.planEntity(entity, stored.get(entity.code), { parentIds: this.planned.parents });
      if (task && !ctx.dryRun) tasks.push(task);
    }
    if (this.versionUpdates.length > 0) {
      await ctx.deps.state.saveEntities(this.versionUpdates);
      this.versionUpdates = [];
    }
    return tasks;
  }

  /**
   * A chunk of whole groups (`groups`: their group records; `inPim`: item keys Ferry has in the
   * PIM) → the chunk's tasks: new options first, then each group's entities parents first, each
   * followed by its media uploads. A dry run gives none and counts the plan.
   */
  /**
   * A queued run's shard knows the PIM's options as they were when its worker loaded the
   * structure; options the items use that are missing from it may have been created since by
   * another shard of the run (or an earlier one). The state says so: those are not sent again —
   * without this every shard re-creates the run's new options, at Akeneo's 3 option writes/s.
   * A one-process run plans each option once and asks nothing.
   */
  private async optionsWrittenByOtherShards(mapped: readonly MappedGroup[]): Promise<ReadonlySet<string>> {
    if (this.ctx.opts.part?.role !== 'shard') return new Set();
    const codes = [...new Set(mapped.flatMap((m) => m.optionDeps.map(optionStateCode)))];
    if (codes.length === 0) return new Set();
    const stored = await this.ctx.deps.state.getEntities('option', codes);
    return new Set([...stored.values()].filter((row) => row.status === 'synced').map((row) => row.code));
  }

  /**
   * A queued run's shard: of the new options its items use that no part wrote yet, those it writes
   * itself (ShardHooks.claimOptions); null when every new option is this run's to write (one process).
   */
  private async optionsThisShardWrites(mapped: readonly MappedGroup[], written: ReadonlySet<string>): Promise<ReadonlySet<string> | null> {
    const part = this.ctx.opts.part;
    if (part?.role !== 'shard' || !part.claimOptions) return null;
    const codes = [...new Set(mapped.flatMap((m) => m.optionDeps.map(optionStateCode)))].filter((c) => !written.has(c));
    return codes.length === 0 ? new Set() : part.claimOptions(codes);
  }

  async planGroups(part: [string, ErpRecord[]][], groups: ReadonlyMap<string, ErpRecord>, inPim: ReadonlySet<string>): Promise<SyncTask[]> {
    const { ctx } = this;
    const { mapper, state } = ctx.deps;
    const mapped: MappedGroup[] = [];
    const modelCodes: string[] = [];
    const productCodes: string[] = [];
    for (const [groupKey, itemsRead] of part) {
      // Members already in the PIM first: when a new item clashes with one of them (same axis
      // values), the new one is held back, never the variant the PIM has.
      const items = inPim.size > 0 ? [...itemsRead].sort((a, b) => Number(inPim.has(b.key)) - Number(inPim.has(a.key))) : itemsRead;
      ctx.groupSizes.set(groupKey, items.length);
      const groupMap = new Map<string, ErpRecord>();
      const g = groups.get(groupKey);
      if (g) groupMap.set(groupKey, g);
      let result;
      try {
        result = mapper.mapItems(items, groupMap);
      } catch (err) {
        // A mapper crash on one group must not sink the run: reject that group's records.
        const message = `could not be mapped: ${errorText(err)}`;
        const fix = 'Report this to the Ferry maintainers with the record.';
        for (const it of items) {
          ctx.ledger.settle('items', it.key, 'rejected', message, false);
          ctx.showReject({ stream: 'items', key: it.key, entityType: 'product', label: it.key, message: `SKU ${it.key} ${message}`, fix });
        }
        ctx.log?.error({ runId: ctx.runId, group: groupKey, err: errorText(err) }, 'mapper failed on a group; its records are rejected');
        void ctx.addRejects(items.map((it) => ({ runId: ctx.runId ?? 0, stream: 'items', key: it.key, entityType: 'product', label: it.key, message: `SKU ${it.key} ${message}`, fix, payload: it })));
        continue;
      }
      this.recordMappingErrors(result.errors);
      for (const e of result.entities) {
        if (e.kind === 'product_model') modelCodes.push(e.code);
        else if (e.kind === 'product') productCodes.push(e.identifier);
      }
      mapped.push({ items, entities: result.entities, optionDeps: result.missingOptions, media: result.mediaUploads ?? [] });
    }
    if (!ctx.dryRun) await state.saveGroupMembers(this.membersOf(part, groups));
    const storedModels = await state.getEntities('product_model', modelCodes);
    const storedProducts = await state.getEntities('product', productCodes);
    await this.collisions.check(mapped, storedModels, storedProducts);
    if (ctx.deps.settings.updateOnly) await adoptFromPim(ctx, mapped, storedModels, storedProducts);
    const optionTasks: SyncTask[] | null = ctx.dryRun ? null : [];
    const intents: EntityState[] = [];
    const plannedTasks: SyncTask[] = [];
    // A product model whose family variant changes is moved first (src/sync/family-variant-change.ts),
    // or, when it cannot be in this run, rejected and held back with its children like a collision.
    // (ctx.fvChanges is set by the run once the endpoint mode is known; a stage driven alone has none.)
    for (const m of ctx.fvChanges ? mapped : []) {
      const refused = await ctx.fvChanges!.prepare(m.entities, storedModels, storedProducts);
      if (!refused) continue;
      const { origin, code } = refused.model;
      if (ctx.ledger.outcomeOf(origin.stream, origin.key) !== 'rejected') ctx.ledger.settle(origin.stream, origin.key, 'rejected', refused.message, false);
      this.collisions.hold(`product_model:${code}`, refused.message);
      ctx.plan.actions.product_model!.reject++;
      const item: ReportReject = { stream: origin.stream, key: origin.key, entityType: 'product_model', label: code, message: refused.message, fix: refused.fix };
      ctx.showReject(item);
      await ctx.addRejects([{ ...item, runId: ctx.runId ?? 0, payload: { code } }]);
    }

    const written = await this.optionsWrittenByOtherShards(mapped);
    const mine = await this.optionsThisShardWrites(mapped, written);
    for (const m of mapped) {
      const byKey = new Map(m.items.map((i) => [i.key, i]));
      for (const o of m.optionDeps) {
        const code = optionStateCode(o);
        if (!written.has(code)) this.planned.option(o, optionTasks, mine && !mine.has(code) ? { awaitOnly: true } : {});
      }
      // Parents before children, whatever order the mapper used.
      const ordered = [...m.entities].sort((a, b) => rankOf(a) - rankOf(b));
      // A sub-model is no ERP record of its own: its outcome is its group's (a sub-model created
      // by a delta makes the group "created", not "unchanged"), and its state row names the group.
      const root = ordered.find((e) => e.kind === 'product_model' && !e.parent);
      for (const mappedEntity of ordered) {
        const entity = mappedEntity.kind === 'product_model' && mappedEntity.parent && root ? { ...mappedEntity, origin: root.origin } : mappedEntity;
        const stored = entity.kind === 'product' ? storedProducts.get(entity.identifier) : storedModels.get(entityCode(entity));
        const deps = this.planned.optionDepsOf(entity);
        const task = await this.planEntity(entity, stored, {
          parentIds: this.planned.parents,
          record: entity.kind === 'product' ? byKey.get(entity.origin.key) : undefined,
          extraDeps: deps,
          intents,
        });
        if (task) plannedTasks.push(task);
      }
      for (const media of m.media) this.media.plan(media, plannedTasks);
    }
    if (intents.length > 0) await state.saveEntities(intents);
    if (this.versionUpdates.length > 0) {
      await state.saveEntities(this.versionUpdates);
      this.versionUpdates = [];
    }
    if (!optionTasks || optionTasks.length === 0) return plannedTasks;
    // Options first: everything else may use them.
    for (const t of plannedTasks) optionTasks.push(t);
    return optionTasks;
  }

  /** Mapping errors: a blocking one rejects its record, any other is a warning (the record is partial). */
  private recordMappingErrors(errors: readonly MappingError[]): void {
    const { ctx } = this;
    const rows: RejectRow[] = [];
    for (const e of errors) {
      const item: ReportReject = {
        stream: e.origin.stream,
        key: e.origin.key,
        entityType: STREAM_TYPES[e.origin.stream] ?? e.origin.stream,
        label: e.recordLabel,
        attribute: e.attribute ?? null,
        locale: e.locale ?? null,
        scope: e.scope ?? null,
        message: rejectMessage(e), // the record named once (src/mapping/messages.ts)
        fix: e.fix,
      };
      if (e.blocksRecord) {
        if (ctx.ledger.outcomeOf(e.origin.stream, e.origin.key) !== 'rejected') ctx.ledger.settle(e.origin.stream, e.origin.key, 'rejected', item.message, false);
        ctx.plan.actions[STREAM_TYPES[e.origin.stream] ?? 'product']!.reject++;
        ctx.showReject(item);
        rows.push({ ...item, runId: ctx.runId ?? 0, errors: [e] });
      } else {
        ctx.partialRecords.add(`${e.origin.stream}\u0000${e.origin.key}`);
        ctx.showWarning(item);
      }
    }
    if (rows.length > 0) void ctx.addRejects(rows);
  }

  /** The group memberships (and, for a source that cannot read them again, the records) of a chunk. */
  private membersOf(part: readonly [string, ErpRecord[]][], groups: ReadonlyMap<string, ErpRecord>): GroupMemberRow[] {
    const keep = this.ctx.inputOnly;
    const rows: GroupMemberRow[] = [];
    for (const [groupKey, items] of part) {
      for (const it of items) rows.push({ stream: 'items', key: it.key, groupKey: it.group ?? null, record: keep && it.group ? it : null });
      const g = groups.get(groupKey);
      if (g) rows.push({ stream: 'groups', key: g.key, groupKey: g.key, record: keep ? g : null });
    }
    return rows;
  }

  /**
   * Diffs one entity and turns it into a task for the caller to add (or settles it as
   * unchanged / skipped and returns null).
   */
  private async planEntity(
    entityIn: MappedEntity,
    stored: EntityState | undefined,
    at: {
      parentIds: Set<string>;
      record?: ErpRecord;
      extraDeps?: string[];
      intents?: EntityState[];
    },
  ): Promise<SyncTask | null> {
    const ctx = this.ctx;
    let entity = entityIn;
    const type = entity.kind as EntityType;
    const code = entityCode(entity);
    const id = `${entity.kind}:${code}`;
    const origin = entity.origin;
    const label = code;
    const planType = entity.kind;
    const notes = this.notes;
    // Products are never parents: remembering them would only cost memory.
    if (entity.kind !== 'product') this.planned.parents.add(id);
    const collision = this.collisions.heldBack(id);
    if (collision !== undefined) {
      notes?.markSettled(id, false, collision);
      return null;
    }
    if (ctx.ledger.outcomeOf(origin.stream, origin.key) === 'rejected') {
      // The mapping refused the record: its entities are not sent, their children are held.
      notes?.markSettled(id, false, `${origin.key} was rejected by the mapping`);
      return null;
    }
    ctx.ledger.expect(origin.stream, origin.key);

    const settleNow = (outcome: 'unchanged' | 'skipped', reason: string | null, ok: boolean) => {
      ctx.ledger.settle(origin.stream, origin.key, outcome, reason);
      notes?.markSettled(id, ok, reason ?? undefined);
      ctx.plan.actions[planType]![outcome === 'unchanged' ? 'unchanged' : 'skip']++;
    };
    /** A state row for this entity before any write of it landed: no hashes, no ERP version. */
    const unwrittenState = (pimId: string | null, status: 'absent' | 'pending'): EntityState => ({
      type,
      code,
      pimId,
      originStream: origin.stream,
      originKey: origin.key,
      groupKey: at.record?.group ?? null,
      hashes: {},
      erpVersion: null,
      status,
    });

    const known = stored !== undefined && stored.status !== 'pending' && stored.status !== 'deleted' && stored.status !== 'absent';
    let effect: TaskCtx['effect'] = 'write';
    let statusAfter: EntityState['status'] = 'synced';
    let policyReason: string | null = null;

    if (entity.kind === 'product' && at.record && at.record.active === false && ctx.deps.settings.deletion !== 'ignore') {
      const policy = ctx.deps.settings.deletion;
      if (!known) {
        settleNow('skipped', `archived in the ERP and never sent to the PIM (deletion policy ${policy})`, false);
        return null;
      }
      if (policy === 'delete') {
        return planDelete(ctx, entity.identifier, stored!, { stream: origin.stream, key: origin.key, updatedAt: origin.updatedAt }, false, id);
      }
      effect = 'policy';
      if (policy === 'disable') {
        entity = { ...entity, enabled: false };
        statusAfter = 'disabled';
        policyReason = 'disabled in the PIM: archived in the ERP';
      } else {
        entity = { ...entity, categories: [] };
        statusAfter = 'uncategorized';
        policyReason = 'removed from its categories: archived in the ERP';
      }
    } else if (entity.kind === 'product' && stored && stored.status === 'disabled' && entity.enabled === undefined) {
      // Back in the ERP after the policy disabled it: enable it again.
      entity = { ...entity, enabled: true };
    }

    if (ctx.deps.settings.updateOnly && !known && (entity.kind === 'product' || entity.kind === 'product_model')) {
      // Looked up in the PIM (adoptFromPim) and not there. Its children that are in the PIM do
      // not need it (they are updated, never created), so it does not hold them.
      settleNow('skipped', 'update-only mode: not in the PIM, so not created', true);
      if (stored === undefined && !ctx.dryRun) {
        // Remember the item's group: a later delta run re-reads it with its siblings.
        this.versionUpdates.push(unwrittenState(null, 'absent'));
      }
      return null;
    }

    // A product the deletion policy deleted is created anew (with a new, random uuid) if it comes
    // back. Any other product without a uuid yet gets its identifier's own (productUuidFor),
    // which a rerun after a crash derives again: it needs no reservation row before its write.
    const deletedBefore = stored?.status === 'deleted';
    const reuseId = stored?.pimId && !deletedBefore ? stored.pimId : null;
    const pimId =
      entity.kind === 'product' && ctx.mode === 'uuid' ? (reuseId ?? (deletedBefore ? randomUUID() : productUuidFor(entity.identifier))) : null;
    const diff = diffEntity(entity, stored, ctx.mode, pimId);
    if (diff.action === 'unchanged') {
      if (stored && origin.updatedAt !== null && stored.erpVersion !== origin.updatedAt && !ctx.dryRun) {
        this.versionUpdates.push({ ...stored, erpVersion: origin.updatedAt });
      }
      if (effect === 'policy') {
        // The policy was applied before; nothing more to do.
        ctx.ledger.settle(origin.stream, origin.key, 'unchanged', null);
        notes?.markSettled(id, true);
        ctx.plan.actions[planType]!.unchanged++;
        return null;
      }
      settleNow('unchanged', null, true);
      return null;
    }
    if (effect === 'policy' && !diff.changed.some((k) => k === '@enabled' || k === '@categories')) effect = 'write';
    // A model re-created by a family-variant change gets the PIM values kept for it.
    if (diff.action === 'create') ctx.fvChanges?.addKeptValues(entity, diff.payload);

    // A change the PIM refuses on an existing entity: a dry run says so instead of approving it.
    let refusal = ctx.dryRun && diff.action === 'update' ? pimWouldRefuse(entity, stored, diff.changed) : null;
    const refusedParent = ctx.dryRun && entity.kind !== 'category' && entity.parent && this.refusedModels.has(entity.parent) ? entity.parent : null;
    if (!refusal && refusedParent) {
      refusal = { message: `${label} would not be sent because the PIM would refuse its product model ${refusedParent} (see its own line)`, fix: `Fix product model ${refusedParent} first.` };
    }
    if (refusal) {
      if (entity.kind === 'product_model') this.refusedModels.add(entity.code);
      ctx.plan.actions[planType]!.reject++;
      ctx.ledger.settle(origin.stream, origin.key, 'rejected', refusal.message);
      ctx.showReject({ stream: origin.stream, key: origin.key, entityType: entity.kind, label, message: refusal.message, fix: refusal.fix });
      return null;
    }
    ctx.plan.actions[planType]![diff.action]++;
    if (ctx.dryRun) {
      if (ctx.opts.keys || ctx.payloads.length < (ctx.opts.planPayloadLimit ?? 0)) ctx.payloads.push({ entityType: entity.kind, code, action: diff.action, payload: diff.payload });
      ctx.ledger.settle(origin.stream, origin.key, effect === 'policy' ? (statusAfter === 'disabled' ? 'disabled' : 'deleted') : diff.action === 'create' ? 'created' : 'updated', policyReason);
      return null;
    }

    if (pimId && deletedBefore) {
      // A random uuid: reserve it before the first write, so a rerun after a crash reuses it.
      if (at.intents) at.intents.push(unwrittenState(pimId, 'pending'));
      else await ctx.deps.state.saveEntities([unwrittenState(pimId, 'pending')]);
    }

    const deps: string[] = [...(at.extraDeps ?? [])];
    const parent = entity.kind === 'category' ? (entity.parent ? `category:${entity.parent}` : null) : entity.parent ? `product_model:${entity.parent}` : null;
    if (parent && at.parentIds.has(parent)) deps.push(parent);

    const lane = entity.kind;
    const task: SyncTask = {
      id,
      lane,
      rank: rankOf(entity),
      deps,
      attempts: 0,
      payload: diff.payload!,
      ctx: {
        type: entity.kind,
        code,
        label,
        origin: { stream: origin.stream, key: origin.key, updatedAt: origin.updatedAt },
        groupKey: entity.kind === 'product' ? (at.record?.group ?? stored?.groupKey ?? null) : null,
        pimId,
        nextHashes: diff.nextHashes,
        effect,
        statusAfter: effect === 'policy' ? statusAfter : 'synced',
        create: diff.action === 'create',
      },
    };
    return task;
  }

}

/** The state's code of an option (as PlannedIds.option stores it). */
function optionStateCode(o: { attribute: string; code: string }): string {
  return `${o.attribute}:${o.code}`;
}
