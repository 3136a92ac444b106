/**
 * Field planning: which attribute plans run on a record. The explicit plans of mapping.attributes,
 * plus identity (an ERP field named like an ERP-owned attribute maps to it), minus hot-looking
 * fields (price, cost, stock) that identity refuses and reports once per run. Values are converted
 * lazily, each plan at most once per record (a bit in acc.done), and only for the attributes a stage
 * asks for (`select`): a model's common values are converted from one member, not all.
 *
 * Caches, all bounded by distinct field names and attribute codes: identity plans per field, the
 * identity lists of the last few field-name sets, plan lists per purpose, locales per ERP language.
 */
import type { ValueEntry } from '../akeneo/model.js';
import type { ErpRecord, FieldValue } from '../erp/port.js';
import type { CodeTable } from './codes.js';
import { looksHot } from './config.js';
import { show } from './converters/common.js';
import { compilePlan, mapValue, readPlanValue, type AttributePlan, type PlanContext, type PlanRead, type RecordAcc } from './plans.js';
import type { ResolvedMapping } from './resolve.js';
import type { MediaResolver, PimStructure } from './types.js';

/** An identity-mapped ERP field and the plan of the attribute with its code. */
interface IdentityEntry {
  plan: AttributePlan;
  field: string;
  direct?: string;
}

/** A plan to run for a record: `field` null for explicit plans (readPlanValue), else the identity field. */
export interface PlanEntry {
  plan: AttributePlan;
  field: string | null;
  /** The one ERP field the plan reads as is (identity, or a single `from`), for cheap comparisons; else null. */
  direct?: string | null;
}

/** Which attributes a stage wants mapped (null: all). */
export type Want = ((code: string) => boolean) | null;

export class FieldPlanner {
  readonly identifierAttribute: string;
  /** Attributes Ferry writes: the identifier, the ownership groups and attributes, and owned mapped attributes. */
  readonly ownedAttributes: ReadonlySet<string>;
  /** What plans and converters read: the mapping, the PIM, the code table, locales, option claims. */
  readonly ctx: PlanContext;
  /** Plans so far (explicit, then identity ones as fields are met): the size of acc.done in bits. */
  planCount = 0;
  private readonly mapping: ResolvedMapping;
  private readonly pim: PimStructure;
  private readonly plans: AttributePlan[] = [];
  private readonly consumed = new Set<string>();
  private readonly identityPlans = new Map<string, AttributePlan | null>();
  private readonly reportedOptions = new Set<string>();
  private readonly localeCache = new Map<string, string | null>();
  private readonly explicitEntries: PlanEntry[] = [];
  /** Plan lists per purpose (axes of a family, a level of a family variant, …), rebuilt when the identity list changes. */
  private readonly selections = new Map<string, { identity: readonly IdentityEntry[] | null; list: PlanEntry[] }>();
  /** Hot-looking fields identity would have mapped to an owned attribute, to report on the next record (once per run). */
  private readonly pendingHot: { field: string; code: string }[] = [];
  /** Attribute code → the id of the plan that feeds it (explicit, or identity once met). */
  private readonly planIds = new Map<string, number>();
  private readonly recentIdentityLists: { names: string[]; list: IdentityEntry[] }[] = [];
  private readonly scratchPlanRead: PlanRead = { value: undefined, field: '', present: false };

  constructor(mapping: ResolvedMapping, pim: PimStructure, codes: CodeTable, media: MediaResolver | undefined) {
    this.mapping = mapping;
    this.pim = pim;
    this.identifierAttribute = mapping.identifier.attribute ?? pim.identifierAttribute;
    const owned = new Set<string>([this.identifierAttribute, ...mapping.ownership.attributes]);
    for (const [code, a] of pim.attributes) if (mapping.ownership.groups.includes(a.group)) owned.add(code);
    for (const [code, spec] of mapping.attributes) if (spec.owned) owned.add(code);
    this.ownedAttributes = owned;
    const defaultLocaleHolder: { v: string | null } = { v: null };
    this.ctx = {
      mapping,
      pim,
      codes,
      media,
      localeOf: (lang) => this.localeOf(lang),
      get defaultLocale() {
        return defaultLocaleHolder.v;
      },
      claimOption: (o) => {
        const key = `${o.attribute}\u0000${o.code.toLowerCase()}`;
        if (this.reportedOptions.has(key)) return false;
        this.reportedOptions.add(key);
        return true;
      },
    };
    defaultLocaleHolder.v = this.localeOf(mapping.defaultLanguage);
    for (const [code, spec] of mapping.attributes) {
      if (code === this.identifierAttribute) continue;
      const plan = compilePlan(code, spec, null, this.ctx);
      plan.id = this.planCount++;
      this.plans.push(plan);
      this.planIds.set(code, plan.id);
      this.explicitEntries.push({ plan, field: null, direct: plan.template === null && plan.sources.length === 1 ? plan.sources[0]! : null });
      for (const f of plan.sources) this.consumed.add(f);
    }
    if (mapping.identifier.from) this.consumed.add(mapping.identifier.from);
  }

  /** ERP language → Akeneo locale: the table, the code itself when it is an active locale, or the unique active `<lang>_XX`. */
  localeOf(lang: string): string | null {
    const cached = this.localeCache.get(lang);
    if (cached !== undefined) return cached;
    let locale: string | null = this.mapping.locales[lang] ?? null;
    if (!locale) {
      if (this.pim.locales.has(lang)) locale = lang;
      else {
        const prefix = `${lang.toLowerCase().split(/[-_]/)[0]}_`;
        const matches = [...this.pim.locales].filter((l) => l.toLowerCase().startsWith(prefix));
        locale = matches.length === 1 ? matches[0]! : null;
      }
    }
    this.localeCache.set(lang, locale);
    return locale;
  }

  /** The explicit plan of an attribute (mapping.attributes), for error messages that name its ERP fields. */
  explicitPlan(code: string): AttributePlan | undefined {
    return this.plans.find((pl) => pl.code === code);
  }

  /** A record's mapped value of an attribute, by code. */
  valueOf(acc: RecordAcc, code: string): ValueEntry[] | undefined {
    if (code === this.identifierAttribute) return acc.identifier;
    const id = this.planIds.get(code);
    return id === undefined ? undefined : acc.byPlan[id];
  }

  /** The record's identity-mapped fields (null when identity is off), found once per record. */
  identityOf(rec: ErpRecord, acc: RecordAcc): readonly IdentityEntry[] | null {
    if (!this.mapping.identity.enabled) return null;
    let identity = acc.identity;
    if (!identity) {
      identity = acc.identity = this.identityListFor(rec.fields);
      if (this.pendingHot.length) this.reportHotFields(rec, acc);
    }
    return identity;
  }

  /**
   * The explicit plans and identity entries `want` accepts (all when null), cached under `key`: the
   * same few lists serve every record of a run, so filtering costs nothing per record.
   */
  select(key: string, want: Want, identity: readonly IdentityEntry[] | null): PlanEntry[] {
    const hit = this.selections.get(key);
    if (hit && hit.identity === identity) return hit.list;
    const list: PlanEntry[] = [];
    for (const e of this.explicitEntries) if (!want || want(e.plan.code)) list.push(e);
    if (identity) for (const e of identity) if (!want || want(e.plan.code)) list.push(e);
    this.selections.set(key, { identity, list });
    return list;
  }

  /**
   * Maps the record's fields into acc.byPlan, each attribute at most once per record. `want` limits
   * the work to some attributes (cached under `key`): a model's common values are converted from one
   * member, not all.
   */
  mapFields(rec: ErpRecord, acc: RecordAcc, key = '*', want: Want = null): void {
    const list = this.select(key, want, this.identityOf(rec, acc));
    const done = acc.done;
    // One bit per plan: allocation-free bookkeeping (the mapper runs for every item).
    while (done.length * 32 < this.planCount) done.push(0);
    for (const entry of list) {
      const plan = entry.plan;
      const w = plan.id >>> 5;
      const bit = 1 << (plan.id & 31);
      if (done[w]! & bit) continue;
      done[w] = done[w]! | bit;
      const read = this.readEntry(entry, rec);
      if (read) mapValue(plan, read, acc, this.ctx);
    }
  }

  /** Runs `plan` on the record unless it already ran (acc.done); false when it had. */
  mapOnce(plan: AttributePlan, read: { value: FieldValue | undefined; field: string }, acc: RecordAcc): boolean {
    const done = acc.done;
    while (done.length * 32 < this.planCount) done.push(0);
    const w = plan.id >>> 5;
    const bit = 1 << (plan.id & 31);
    if (done[w]! & bit) return false;
    done[w] = done[w]! | bit;
    mapValue(plan, read, acc, this.ctx);
    return true;
  }

  /**
   * The ERP value an entry reads from a record, in a scratch object (mapValue never keeps it); null
   * when the record does not carry the field at all, which is not the same as "emptied".
   */
  readEntry(entry: PlanEntry, rec: ErpRecord): PlanRead | null {
    if (entry.field === null) {
      const read = readPlanValue(entry.plan, rec.fields, this.mapping.defaultLanguage, this.scratchPlanRead);
      // Explicit plans: an item without the field clears the value; a group record just lacks it.
      return !read.present && entry.plan.template === null && rec.stream === 'groups' ? null : read;
    }
    const value = rec.fields[entry.field];
    if (value === undefined) return null;
    const read = this.scratchPlanRead;
    read.value = value;
    read.field = entry.field;
    read.present = true;
    return read;
  }

  private identityPlan(field: string): AttributePlan | null {
    const cached = this.identityPlans.get(field);
    if (cached !== undefined) return cached;
    let plan: AttributePlan | null = null;
    if (!this.mapping.identity.ignore.has(field)) {
      const outcome = this.ctx.codes.code('attribute', field);
      const code = outcome.ok ? outcome.code : null;
      if (code && code !== this.identifierAttribute && this.ownedAttributes.has(code) && this.pim.attributes.has(code) && !this.mapping.attributes.has(code)) {
        if (looksHot(field, this.mapping.hotData.patterns) && !this.mapping.hotData.allow.has(field)) {
          // Identity would write hot data into an ERP-owned attribute: refused, and said once per run.
          this.pendingHot.push({ field, code });
        } else {
          plan = compilePlan(code, undefined, field, this.ctx);
          plan.id = this.planCount++;
          this.planIds.set(code, plan.id);
        }
      }
    }
    this.identityPlans.set(field, plan);
    return plan;
  }

  /** hot_data, once per run: on the first record that carries a hot field matching an ERP-owned attribute. */
  private reportHotFields(rec: ErpRecord, acc: RecordAcc): void {
    for (const { field, code } of this.pendingHot.splice(0)) {
      acc.errors.push({
        kind: 'hot_data',
        origin: acc.origin,
        recordLabel: acc.label,
        erpField: field,
        attribute: code,
        locale: null,
        scope: null,
        value: typeof rec.fields[field] === 'object' && rec.fields[field] !== null ? show(rec.fields[field]) : rec.fields[field],
        message:
          `${acc.label}: ERP field ${JSON.stringify(field)} looks like hot data (price, cost, stock or quantity) and matches the ERP-owned attribute ${code}, ` +
          'so identity mapping would write it; Ferry sends it for no record (reported once per run, on the first record that has it). ' +
          'Akeneo keeps cold product data; hot data goes from the ERP straight to e-commerce. Expected cold product data.',
        expected: 'cold product data',
        fix:
          `If ${field} only looks hot, add it to mapping.hotData.allow; if it is a reference price, map it: attributes.${code}: { type: price, referencePrice: true }; ` +
          `otherwise add it to mapping.identity.ignore (and consider taking ${code} out of the ERP attribute group).`,
        // The value never goes, whatever the configuration; holding back only the first record would be arbitrary.
        blocksRecord: false,
      });
    }
  }

  /**
   * The identity-mapped fields of a record. Records of one ERP stream share their field names, so the
   * lists of the last few field-name sets are kept (items and group records alternate) and reused when
   * the names match in order. Object.keys, not for-in: records of 20+ fields are dictionary objects,
   * which for-in walks several times slower.
   */
  private identityListFor(fields: Record<string, FieldValue>): IdentityEntry[] {
    const names = Object.keys(fields);
    const recent = this.recentIdentityLists;
    for (let c = 0; c < recent.length; c++) {
      const entry = recent[c]!;
      if (!sameNames(entry.names, names)) continue;
      if (c > 0) {
        recent.splice(c, 1);
        recent.unshift(entry);
      }
      return entry.list;
    }
    const list: IdentityEntry[] = [];
    for (const field of names) {
      if (this.consumed.has(field)) continue;
      const plan = this.identityPlan(field);
      if (plan) list.push({ plan, field, direct: field });
    }
    recent.unshift({ names, list });
    if (recent.length > 4) recent.pop();
    return list;
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
