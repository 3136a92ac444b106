/**
 * Ferry's own conformance cases for what differs between Akeneo editions and versions
 * (edition-cases.json, issue 19): each runs against the sandbox as the edition it names,
 * and every one must pass — they are the emulated differences, each with its source.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCases } from '../../../src/sandbox/conformance/cases.js';
import { runConformance } from '../../../src/sandbox/conformance/runner.js';

const casesFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'edition-cases.json');

describe('edition conformance cases', () => {
  it('every case names its edition and passes against the sandbox playing it', async () => {
    const cases = await loadCases(casesFile);
    expect(cases.length).toBeGreaterThanOrEqual(20);
    for (const c of cases) expect(c.edition, c.id).toBeDefined();
    // Every edition the sandbox offers is exercised.
    expect(new Set(cases.map((c) => `${c.edition!.edition} ${c.edition!.version ?? ''}`.trim()))).toEqual(
      new Set(['ce 5.0', 'ce 6.0', 'ce 7.0', 'ee 5.0', 'ee 6.0', 'ee 7.0', 'saas']),
    );
    const { summary, results } = await runConformance({ casesFile });
    const failures = results.filter((r) => !r.passed).map((r) => `${r.id}: ${r.diffs.join(' | ')}`);
    expect(failures, failures.join('\n')).toEqual([]);
    expect(summary.passed).toBe(cases.length);
  }, 60_000);
});
