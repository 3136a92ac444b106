/**
 * What this run has planned so far that later work refers to: the parents (categories, product
 * models) a child may wait for, and the attribute options it creates, which every entity using
 * them must wait for. Planning fills it; applying asks it when a line fails for a missing option
 * or parent.
 */
import type { MappedEntity, MappedOption } from '../../mapping/types.js';
import type { RunContext } from './context.js';
import { AWAIT_OPTION_LANE, RANK, type SyncTask } from './tasks.js';

export class PlannedIds {
  /** Task ids of the parents (categories, product models) planned in this run. */
  readonly parents = new Set<string>();
  private readonly optionTasks = new Set<string>();
  /** Options created in this run: attribute → lower-case code → task id. */
  private readonly options = new Map<string, Map<string, string>>();

  constructor(private readonly ctx: RunContext) {}

  /** Whether this run planned the entity with this task id (so a child may wait for it). */
  has(id: string): boolean {
    return this.parents.has(id);
  }

  /**
   * Plans an option once: its task goes to `out` the first time (null: not sent); returns its task id.
   * `update`: the PIM has the option (its labels change); `hashes`: what the state keeps of it (the
   * labels' hash, src/sync/stages/option-labels.ts). Only a new option is a dependency of the entities using it.
   */
  option(opt: MappedOption, out: SyncTask[] | null, how: { update?: boolean; hashes?: Record<string, string>; awaitOnly?: boolean } = {}): string {
    const id = `option:${opt.attribute}:${opt.code.toLowerCase()}`;
    if (this.optionTasks.has(id)) return id;
    this.optionTasks.add(id);
    if (!how.update) {
      let codes = this.options.get(opt.attribute);
      if (!codes) this.options.set(opt.attribute, (codes = new Map()));
      codes.set(opt.code.toLowerCase(), id);
    }
    // An option another shard writes is that shard's to count.
    if (!how.awaitOnly) this.ctx.plan.actions.option![how.update ? 'update' : 'create']++;
    if (out) {
      out.push({
        id,
        lane: `${how.awaitOnly ? AWAIT_OPTION_LANE : 'option:'}${opt.attribute}`,
        rank: RANK.option!,
        deps: [],
        attempts: 0,
        payload: { code: opt.code, attribute: opt.attribute, labels: opt.labels },
        ctx: {
          type: 'option',
          code: `${opt.attribute}:${opt.code}`,
          label: `${opt.attribute} option ${opt.code}`,
          origin: null,
          groupKey: null,
          pimId: null,
          nextHashes: how.hashes ?? {},
          effect: 'write',
          statusAfter: 'synced',
          option: { attribute: opt.attribute, code: opt.code },
          ...(how.awaitOnly ? { awaitOnly: true } : {}),
        },
      });
    }
    return id;
  }

  /**
   * The option tasks of this run an entity's values use. The mapper reports a missing option
   * once (with the first record that needs it), so every later entity using it must find it
   * here, or it would be sent before the option exists and fail.
   */
  optionDepsOf(entity: MappedEntity): string[] {
    const planned = this.options;
    if (entity.kind === 'category' || planned.size === 0) return [];
    const deps: string[] = [];
    for (const [attribute, codes] of planned) {
      const entries = entity.values[attribute];
      if (!entries) continue;
      for (const e of entries) {
        const d = e.data;
        const used = typeof d === 'string' ? [d] : Array.isArray(d) ? d.filter((x): x is string => typeof x === 'string') : [];
        for (const code of used) {
          const id = codes.get(code.toLowerCase());
          if (id !== undefined && !deps.includes(id)) deps.push(id);
        }
      }
    }
    return deps;
  }
}
