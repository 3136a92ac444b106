/**
 * `ferry estimate`: before a first import of a large catalog, what it will cost: the ERP's
 * counts, what the mapping writes, the requests, the expected duration (best / likely), the
 * bottleneck, memory and advice. The numbers are gathered by src/app/estimate.ts and computed by
 * src/sync/estimate.ts; this file only prints them.
 */
import type { Command } from 'commander';
import { estimateFirstImport, type EstimateReport } from '../../app/estimate.js';
import { BOTTLENECK_WORDS, formatSeconds } from '../../sync/estimate.js';
import { configFrom, printJson, withConfigOption } from '../output.js';

const n = (v: number): string => v.toLocaleString('en-US');

export function formatEstimate(r: EstimateReport): string {
  const e = r.estimate;
  const counts = Object.entries(r.erp.counts)
    .map(([s, c]) => `${s} ${n(c)}`)
    .join(', ');
  const q = e.requests;
  const lines = [
    `First import estimate (${r.erp.system} → ${r.pim.url})`,
    `  ERP records:   ${counts} (shape sampled from ${n(r.erp.sampled)} items)`,
    `  PIM writes:    ${n(e.entities.products)} products, ${n(e.entities.productModels)} product models, ${n(e.entities.categories)} categories, ${n(e.entities.options)} options, ${n(e.entities.media)} media files`,
    `  requests:      ~${n(q.total)} (${n(q.products)} product batches, ${n(q.productModels)} model batches, ${n(q.categories)} category batches, ${n(q.options)} option writes, ${n(q.media)} media uploads, ${n(q.setup)} reads first)`,
    `  PIM:           ${r.pim.roundTripMs === null ? 'not reached' : `${r.pim.roundTripMs} ms round trip`}, ${r.pim.connections} connection${r.pim.connections === 1 ? '' : 's'}, ${e.slots} calls at once`,
    `  duration:      ${formatSeconds(e.durationSeconds.best)} at best, ${formatSeconds(e.durationSeconds.likely)} likely` +
      ` (options ${formatSeconds(e.phases.options)}, batches ${formatSeconds(e.phases.batches)}, media ${formatSeconds(e.phases.media)} at best)`,
    `  bottleneck:    ${BOTTLENECK_WORDS[e.bottleneck]}`,
    `  memory:        ~${n(e.memoryMb)} MB peak (measured by bench:scale)`,
  ];
  if (e.advice.length > 0) {
    lines.push('advice:');
    for (const a of e.advice) lines.push(`  - ${a}`);
  }
  if (r.notes.length > 0) {
    lines.push('notes:');
    for (const note of r.notes) lines.push(`  - ${note}`);
  }
  return lines.join('\n');
}

export function registerEstimateCommand(program: Command): void {
  withConfigOption(
    program
      .command('estimate')
      .description('Estimate a first full import before running it: requests, duration (best/likely), bottleneck, memory, advice.')
      .option('--json', 'print the estimate as JSON'),
  ).action(async (o: { config?: string; json?: boolean }) => {
    const config = await configFrom(o);
    const report = await estimateFirstImport(config);
    if (o.json) printJson(report);
    else process.stdout.write(formatEstimate(report) + '\n');
  });
}
