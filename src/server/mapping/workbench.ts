/**
 * What the Mapping and Bootstrap pages run on the server: the live PIM structure (kept a minute),
 * a sample of the ERP's items with their groups and the ERP's describe() (kept five minutes), so a
 * preview of a draft mapping maps cached records and answers in milliseconds; the Check button
 * (`ferry check`) and the bootstrap plan/apply (`ferry pim bootstrap`) read the ERP afresh.
 */
import { createHash } from 'node:crypto';
import { checkAllRecords } from '../../app/check-records.js';
import type { AkeneoClient } from '../../akeneo/index.js';
import type { FerryConfig } from '../../config/schema.js';
import { createErpSource } from '../../erp/factory.js';
import type { ErpRecord, ErpSource, StreamDescription } from '../../erp/port.js';
import type { Logger } from '../../logging.js';
import { applyBootstrap, checkMapping, createMapper, describePlan, isEmptyPlan, loadPimStructure, planBootstrap, resolveMapping, type PimStructure } from '../../mapping/index.js';
import type { MappingConfig } from '../../mapping/config.js';
import { needsSamples, readAxisSamples } from '../../sync/bootstrap.js';
import type { BootstrapApply, BootstrapPlanView, MappingCheck, MappingOverview, MappingPreview, MappingPreviewBody } from '../api/contract.js';
import { bootstrapResults, bootstrapView } from './bootstrap-view.js';
import { validateDraft } from './draft.js';
import { buildOverview } from './overview.js';
import { previewUnits, rowOf } from './preview.js';
import { settingsProblems, settingsView } from './settings-view.js';
import { asIfBootstrapped, structureEditView, structureProblems } from './structure-edit.js';

/** Items kept for previews: enough for a random pick, bounded for a large ERP. */
const SAMPLE_LIMIT = 2000;
const PIM_TTL_MS = 60_000;
const ERP_TTL_MS = 300_000;
const STRUCTURE_CODES = new Set(['unknown_family', 'unknown_family_variant', 'unknown_category', 'category_tree', 'indistinguishable_group', 'missing_family_variant', 'bad_axis', 'unfed_axis']);

interface ErpSample {
  at: number;
  readAt: string;
  description: StreamDescription[];
  items: ErpRecord[];
  byKey: Map<string, ErpRecord>;
  groups: Map<string, ErpRecord>;
  complete: boolean;
}

export interface WorkbenchDeps {
  /** The config as it is now (the Console may reload it after a save). */
  config: () => FerryConfig;
  /** The saved `mapping:` section: ferry.yaml's as it is on disk when the Console has the file. */
  savedMapping: () => MappingConfig;
  pimClient: () => AkeneoClient;
  logger: Logger;
  openSource?: () => Promise<ErpSource>;
}

export class DraftInvalid extends Error {}
export class PlanChanged extends Error {}

export class MappingWorkbench {
  private pim: { at: number; value: Promise<PimStructure> } | null = null;
  private sample: { at: number; value: Promise<ErpSample> } | null = null;

  constructor(private readonly deps: WorkbenchDeps) {}

  private async openSource(): Promise<ErpSource> {
    if (this.deps.openSource) return this.deps.openSource();
    const config = this.deps.config();
    const referencePrice = [...resolveMapping(this.deps.savedMapping()).attributes.values()].some((a) => a.referencePrice === true);
    return createErpSource(config.erp, { readOnly: true, referencePrice, logger: this.deps.logger });
  }

  private async withSource<T>(run: (source: ErpSource) => Promise<T>): Promise<T> {
    const source = await this.openSource();
    try {
      return await run(source);
    } finally {
      await source.close().catch(() => undefined);
    }
  }

  structure(): Promise<PimStructure> {
    if (!this.pim || Date.now() - this.pim.at > PIM_TTL_MS) {
      const value = loadPimStructure(this.deps.pimClient());
      this.pim = { at: Date.now(), value };
      value.catch(() => (this.pim = null));
    }
    return this.pim.value;
  }

  erpSample(): Promise<ErpSample> {
    if (!this.sample || Date.now() - this.sample.at > ERP_TTL_MS) {
      const value = this.withSource(async (source) => {
        const description = await source.describe();
        const items: ErpRecord[] = [];
        let complete = true;
        // A read with a limit is a preview: the files adapter leaves its input for the sync.
        for await (const r of source.read('items', { limit: SAMPLE_LIMIT + 1 })) {
          if (items.length >= SAMPLE_LIMIT) {
            complete = false;
            break;
          }
          items.push(r);
        }
        const groups = new Map<string, ErpRecord>();
        const keys = [...new Set(items.map((r) => r.group).filter((g): g is string => !!g))];
        if (keys.length && source.streams.includes('groups')) for await (const g of source.read('groups', { keys })) groups.set(g.key, g);
        return { at: Date.now(), readAt: new Date().toISOString(), description, items, byKey: new Map(items.map((r) => [r.key, r])), groups, complete };
      });
      this.sample = { at: Date.now(), value };
      value.catch(() => (this.sample = null));
    }
    return this.sample.value;
  }

  /** Forget the PIM structure (after a bootstrap) and the ERP sample (the Reload button). */
  invalidate(what: { pim?: boolean; erp?: boolean }): void {
    if (what.pim) this.pim = null;
    if (what.erp) this.sample = null;
  }

  /**
   * The draft (or the saved mapping) and its problems. A draft the schema refuses gives the saved
   * mapping's table; one the schema accepts but the PIM would refuse (an axis, a locale) gives its
   * own table with the problems, so the editor keeps showing what the user typed.
   */
  private draftOf(raw: Record<string, unknown> | undefined, pim: PimStructure): { mapping: MappingConfig; problems: MappingOverview['problems'] } {
    if (raw === undefined) return { mapping: this.deps.savedMapping(), problems: [] };
    const { mapping, problems } = validateDraft(raw);
    if (!mapping) return { mapping: this.deps.savedMapping(), problems };
    return { mapping, problems: [...problems, ...structureProblems(mapping, resolveMapping(mapping), pim), ...settingsProblems(mapping, pim)] };
  }

  async overview(raw?: Record<string, unknown>): Promise<MappingOverview> {
    const [pim, sample] = await Promise.all([this.structure(), this.erpSample()]);
    const { mapping, problems } = this.draftOf(raw, pim);
    const resolved = resolveMapping(mapping);
    return {
      saved: this.deps.savedMapping() as Record<string, unknown>,
      problems,
      ...buildOverview(mapping, pim, sample.description),
      structureEdit: structureEditView(resolved, mapping, pim),
      settings: settingsView(resolved, mapping, pim, sample.description),
    };
  }

  /** Items for the given keys (their group siblings along), or `count` groups / single items at random from the sample. */
  private async pick(sample: ErpSample, keys: string[] | undefined, count: number): Promise<ErpRecord[]> {
    const byGroup = new Map<string, ErpRecord[]>();
    for (const r of sample.items) if (r.group) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r]);
    const withSiblings = (chosen: ErpRecord[]) => {
      const out = new Map<string, ErpRecord>();
      for (const r of chosen) for (const s of r.group ? (byGroup.get(r.group) ?? [r]) : [r]) out.set(s.key, s);
      for (const r of chosen) out.set(r.key, r);
      return [...out.values()];
    };
    if (keys?.length) {
      const known = keys.map((k) => sample.byKey.get(k)).filter((r): r is ErpRecord => !!r);
      if (known.length === keys.length) return withSiblings(known);
      // Beyond the cached sample: read those items (and their groups) from the ERP.
      return this.withSource(async (source) => {
        const chosen: ErpRecord[] = [];
        for await (const r of source.read('items', { keys })) chosen.push(r);
        const missing = keys.filter((k) => !chosen.some((r) => r.key === k));
        if (missing.length) throw new DraftInvalid(`no item with key ${missing.join(', ')} in the ERP: check the SKUs`);
        const groups = new Set(chosen.map((r) => r.group).filter((g): g is string => !!g));
        if (groups.size) {
          for await (const r of source.read('items')) if (r.group && groups.has(r.group) && !chosen.some((c) => c.key === r.key)) chosen.push(r);
          if (source.streams.includes('groups')) for await (const g of source.read('groups', { keys: [...groups] })) sample.groups.set(g.key, g);
        }
        return chosen;
      });
    }
    const units = [...new Set(sample.items.map((r) => (r.group ? `g:${r.group}` : `i:${r.key}`)))];
    for (let i = units.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [units[i], units[j]] = [units[j]!, units[i]!];
    }
    const chosen = units.slice(0, count).map((u) => (u.startsWith('g:') ? byGroup.get(u.slice(2))![0]! : sample.byKey.get(u.slice(2))!));
    return withSiblings(chosen);
  }

  async preview(body: MappingPreviewBody): Promise<MappingPreview> {
    const [pim, sample] = await Promise.all([this.structure(), this.erpSample()]);
    const { mapping, problems } = this.draftOf(body.mapping, pim);
    const meta = { items: sample.items.length, complete: sample.complete, readAt: sample.readAt };
    if (problems.length) return { problems, keys: body.keys ?? [], units: [], missingOptions: [], codeChanges: [], asIfBootstrapped: [], durationMs: 0, sample: meta };
    const items = await this.pick(sample, body.keys, body.sample ?? 5);
    const started = performance.now();
    const overview = buildOverview(mapping, pim, sample.description);
    // Family variants the mapping defines and the PIM lacks yet: previewed as Bootstrap would create them.
    const asIf = asIfBootstrapped(resolveMapping(mapping), pim);
    const mapper = createMapper(mapping, asIf.pim);
    const groups = new Map([...new Set(items.map((r) => r.group).filter((g): g is string => !!g))].flatMap((g) => (sample.groups.has(g) ? [[g, sample.groups.get(g)!] as const] : [])));
    const result = mapper.mapItems(items, groups);
    const units = previewUnits(items, groups, result, new Set(overview.rows.map((r) => r.attribute)), new Set(overview.unmapped.map((u) => u.field)));
    const keys = body.keys?.length ? body.keys : units.map((u) => (u.kind === 'group' ? items.find((r) => r.group === u.key)!.key : u.key));
    return {
      problems: [],
      keys,
      units,
      missingOptions: result.missingOptions.map((o) => `${o.attribute}.${o.code}`),
      codeChanges: (result.codeChanges ?? []).map((c) => `${c.kind}${c.attribute ? ` of ${c.attribute}` : ''}: "${c.original}" → ${c.normalised}`),
      asIfBootstrapped: asIf.added,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      sample: meta,
    };
  }

  /** `ferry check` on a draft or the saved mapping: the structure, then every ERP record mapped as the sync would. */
  async check(raw?: Record<string, unknown>): Promise<MappingCheck> {
    const started = performance.now();
    this.invalidate({ pim: true });
    const pim = await this.structure();
    const { mapping, problems: draftProblems } = this.draftOf(raw, pim);
    if (draftProblems.length) return { ok: false, problems: [], draftProblems, records: null, durationMs: 0 };
    return this.withSource(async (source) => {
      const description = await source.describe();
      const problems = checkMapping(mapping, pim, description);
      const structural = problems.some((p) => p.severity === 'error');
      const records = structural ? null : await checkAllRecords(mapping, pim, source, description, null);
      if (records) problems.push(...records.problems);
      const overview = buildOverview(mapping, pim, description);
      const rows = new Set(overview.rows.map((r) => r.attribute));
      const unmapped = new Set(overview.unmapped.map((u) => u.field));
      return {
        ok: !problems.some((p) => p.severity === 'error'),
        problems: problems.map((p) => ({
          severity: p.severity,
          code: p.code,
          erpField: p.erpField ?? null,
          attribute: p.attribute ?? null,
          message: p.message,
          fix: p.fix,
          row: rowOf(p.attribute, p.erpField, rows, unmapped) ?? (STRUCTURE_CODES.has(p.code) ? 'mapping.structure' : null),
        })),
        draftProblems: [],
        records: records ? { items: records.items, groups: records.groups, complete: records.complete } : null,
        durationMs: Math.round(performance.now() - started),
      };
    });
  }

  private async plan() {
    const mapping = resolveMapping(this.deps.savedMapping());
    this.invalidate({ pim: true });
    const pim = await this.structure();
    return this.withSource(async (source) => planBootstrap(mapping, pim, await source.describe(), needsSamples(mapping) ? { samples: await readAxisSamples(mapping, source) } : {}));
  }

  private static planId(plan: unknown): string {
    return createHash('sha256').update(JSON.stringify(plan)).digest('hex').slice(0, 16);
  }

  async bootstrapPlan(): Promise<BootstrapPlanView> {
    const plan = await this.plan();
    return { ...bootstrapView(plan), empty: isEmptyPlan(plan), lines: describePlan(plan), planId: MappingWorkbench.planId(plan) };
  }

  /** Applies the plan the user saw; a plan that changed meanwhile (someone else bootstrapped) is refused. */
  async bootstrapApply(planId: string): Promise<BootstrapApply> {
    const plan = await this.plan();
    if (MappingWorkbench.planId(plan) !== planId) throw new PlanChanged('the plan changed since it was shown (the PIM or the mapping changed): look at the new plan and confirm again');
    const started = performance.now();
    const items = bootstrapView(plan).groups.flatMap((g) => g.items);
    const result = await applyBootstrap(plan, this.deps.pimClient());
    this.invalidate({ pim: true });
    const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    const results = bootstrapResults(items, result.failures);
    return { results, created: sum(result.created), updated: sum(result.updated), failed: results.filter((r) => r.outcome !== 'done').length, durationMs: Math.round(performance.now() - started) };
  }
}
