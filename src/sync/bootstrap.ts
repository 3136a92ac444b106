/**
 * `ferry pim bootstrap --yes` as a function: create in the PIM what the mapping needs and the
 * PIM lacks. Used by the Quick start, the end-to-end tests and the benchmark.
 */
import type { AkeneoClient } from '../akeneo/index.js';
import type { ErpRecord, ErpSource } from '../erp/port.js';
import { AxisSampler, type GroupSample } from '../mapping/axes.js';
import { loadReferenceDataStructure } from '../mapping/bootstrap-reference.js';
import { applyBootstrap, describeFailure, planBootstrap } from '../mapping/bootstrap.js';
import type { MappingConfig } from '../mapping/config.js';
import { loadPimStructure } from '../mapping/index.js';
import { resolveMapping, type ResolvedMapping } from '../mapping/resolve.js';

export interface BootstrapSummary {
  created: number;
  updated: number;
  failures: string[];
}

/**
 * Creates in the PIM what the mapping needs and the PIM lacks (`ferry pim bootstrap --yes`).
 * Throws when something could not be created: a sync would only reject every record.
 */
export async function bootstrapPim(client: AkeneoClient, mapping: MappingConfig, source: ErpSource): Promise<BootstrapSummary> {
  const pim = await loadPimStructure(client);
  const resolved = resolveMapping(mapping);
  const referenceData = await loadReferenceDataStructure(client, resolved, pim);
  const plan = planBootstrap(resolved, pim, await source.describe(), {
    ...(needsSamples(resolved) ? { samples: await readAxisSamples(resolved, source) } : {}),
    ...(referenceData ? { referenceData } : {}),
  });
  const result = await applyBootstrap(plan, client);
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const failures = result.failures.map(describeFailure);
  if (failures.length > 0) throw new Error(`the PIM bootstrap failed: ${failures.join('; ')}`);
  return { created: sum(result.created), updated: sum(result.updated), failures };
}

/**
 * The ERP's items by model key, for inferring variant axes (src/mapping/axes.ts). Reads the items
 * stream once; keeps a short comparable text per field, not the records.
 */
export async function readAxisSamples(mapping: ResolvedMapping, source: ErpSource): Promise<GroupSample[]> {
  const sampler = new AxisSampler(mapping);
  // A read with a limit is a preview: adapters that consume their input (the files adapter moves
  // a file read to its end) leave it for the sync.
  const preview = { limit: Number.MAX_SAFE_INTEGER };
  // The group records too, as the mapper gets them: an item inherits the fields its group has and it
  // lacks, and a group record may name the model's family.
  const groups = new Map<string, ErpRecord>();
  if (source.streams.includes('groups')) for await (const g of source.read('groups', preview)) groups.set(g.key, g);
  for await (const item of source.read('items', preview)) sampler.add(item, item.group ? groups.get(item.group) : undefined);
  return sampler.samples();
}

/** Whether some family infers its variants from the data (else the ERP's items need not be read). */
export function needsSamples(mapping: ResolvedMapping): boolean {
  return Object.values(mapping.structure.families.definitions).some((d) => d.variantsFromErp);
}
