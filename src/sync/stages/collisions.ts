/**
 * Identifier collisions, before anything is sent: two ERP records whose SKUs (or model codes)
 * the PIM takes for one (it compares them without case or accents, like `ABC-1` and `abc-1`)
 * would overwrite each other's data and share one PIM product. The first one (the one the PIM
 * already has, else the first read) keeps it; the other is rejected, naming both and the fix.
 */
import type { MappedEntity } from '../../mapping/types.js';
import { pimCodeKey } from '../../mapping/codes.js';
import type { ReportReject } from '../report.js';
import type { EntityState, RejectRow } from '../state/port.js';
import type { RunContext } from './context.js';

export class CollisionGuard {
  /** Entities held back (`type:code` → why): not sent, their children held. */
  private readonly held = new Map<string, string>();
  /** PIM key (pimCodeKey) → the code and ERP key that took it in this run, per entity type. */
  private readonly claimed = { product: new Map<string, { code: string; key: string }>(), product_model: new Map<string, { code: string; key: string }>() };

  constructor(private readonly ctx: RunContext) {}

  /** Holds an entity back for another reason (a family-variant change refused): not sent, its children held. */
  hold(id: string, why: string): void {
    this.held.set(id, why);
  }

  /** Why the entity with this task id is held back, or undefined. */
  heldBack(id: string): string | undefined {
    return this.held.get(id);
  }

  /** Rejects the records of a chunk whose identifier another record of this run (or the PIM) already has. */
  async check(
    mapped: readonly { entities: MappedEntity[] }[],
    storedModels: ReadonlyMap<string, EntityState>,
    storedProducts: ReadonlyMap<string, EntityState>,
  ): Promise<void> {
    type Candidate = { type: 'product' | 'product_model'; code: string; key: string; stream: string };
    const candidates: Candidate[] = [];
    for (const m of mapped) {
      for (const e of m.entities) {
        if (e.kind === 'product') candidates.push({ type: 'product', code: e.identifier, key: e.origin.key, stream: e.origin.stream });
        else if (e.kind === 'product_model' && !e.parent) candidates.push({ type: 'product_model', code: e.code, key: e.origin.key, stream: e.origin.stream });
      }
    }
    if (candidates.length === 0) return;
    // Already in the state under another spelling (a case variant synced by an earlier run).
    const known = new Map<string, { code: string; key: string }>();
    for (const type of ['product', 'product_model'] as const) {
      const stored = type === 'product' ? storedProducts : storedModels;
      const fresh = candidates.filter((c) => c.type === type && !stored.has(c.code)).map((c) => c.code);
      if (fresh.length === 0) continue;
      for (const row of await this.ctx.deps.state.findByCodeKey(type, fresh)) {
        if (row.status === 'deleted') continue;
        known.set(`${type}\u0000${pimCodeKey(row.code)}`, { code: row.code, key: row.originKey });
      }
    }
    const rows: RejectRow[] = [];
    for (const c of candidates) {
      const pimKey = pimCodeKey(c.code);
      const claims = this.claimed[c.type];
      const earlier = claims.get(pimKey);
      const before = known.get(`${c.type}\u0000${pimKey}`);
      let other: { code: string; key: string } | undefined;
      // The spelling the PIM already has wins, whatever the order of this run's reads.
      if (before && before.code !== c.code && before.key !== c.key) other = before;
      else if (earlier && (earlier.code !== c.code || earlier.key !== c.key)) other = earlier;
      if (!other) {
        if (!earlier) claims.set(pimKey, { code: c.code, key: c.key });
        continue;
      }
      const noun = c.type === 'product' ? 'SKU' : 'Product model';
      const sameCode = other.code === c.code;
      const message = sameCode
        ? `${noun} ${c.code} of ERP record ${c.key} is also the ${c.type === 'product' ? 'SKU' : 'model code'} of ERP record ${other.key}: both would write one ${c.type === 'product' ? 'product' : 'product model'} of the PIM, the second overwriting the first. ${other.key} keeps it; ${c.key} is held back.`
        : `${noun} ${c.code} (ERP key ${c.key}) and ${noun} ${other.code} (ERP key ${other.key}) are one ${c.type === 'product' ? 'product' : 'product model'} for the PIM, which compares ${c.type === 'product' ? 'identifiers' : 'codes'} without case or accents: sending ${c.code} would overwrite ${other.code}'s data. ${other.code} keeps it; ${c.code} is held back.`;
      const fix = sameCode
        ? `Give ERP records ${other.key} and ${c.key} different ${c.type === 'product' ? 'SKUs' : 'group codes'} (or remove the duplicate), then run ferry sync again.`
        : `Rename ${c.code} or ${other.code} in the ERP so they differ by more than case or accents, then run ferry sync again.`;
      if (this.ctx.ledger.outcomeOf(c.stream, c.key) !== 'rejected') this.ctx.ledger.settle(c.stream, c.key, 'rejected', message, false);
      this.held.set(`${c.type}:${c.code}`, message);
      this.ctx.plan.actions[c.type]!.reject++;
      const item: ReportReject = { stream: c.stream, key: c.key, entityType: c.type, label: c.code, attribute: c.type === 'product' ? this.ctx.deps.mapper.identifierAttribute : null, message, fix };
      this.ctx.showReject(item);
      rows.push({ ...item, runId: this.ctx.runId ?? 0, payload: { code: c.code, collidesWith: other } });
    }
    if (rows.length > 0) await this.ctx.addRejects(rows);
  }
}
