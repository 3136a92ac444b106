/**
 * `npm run conformance`: replays ../shared/akeneo/conformance/cases.json against a fresh sandbox
 * and prints {passed,total,ratio,failed:[{id,reason}]}. Exits 1 below the 76/80 bar.
 * Options: --cases FILE, --only id1,id2, --verbose (every difference on stderr).
 */
import { existsSync } from 'node:fs';
import { defaultCasesFile, PASS_THRESHOLD, runConformance } from './runner.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const casesFile = arg('--cases') ?? defaultCasesFile;
  if (!existsSync(casesFile)) {
    process.stderr.write(`conformance: ${casesFile} not found; pass --cases FILE (the shared Akeneo reference folder is not here).\n`);
    process.exit(2);
  }
  const only = arg('--only')?.split(',').map((s) => s.trim()).filter(Boolean);
  const { summary, results } = await runConformance({ casesFile, only });
  if (process.argv.includes('--verbose')) {
    for (const r of results.filter((x) => !x.passed)) process.stderr.write(`\n[${r.id}]\n  ${r.diffs.join('\n  ')}\n`);
  }
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  const bar = only && only.length > 0 ? summary.total : PASS_THRESHOLD;
  process.exit(summary.passed >= Math.min(bar, summary.total) ? 0 : 1);
}

main().catch((e: unknown) => {
  process.stderr.write(`conformance: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(2);
});
