/**
 * Ferry's own conformance cases for issue 16 (fidelity-cases.json): locales known and activated as
 * in Akeneo, labels in inactive locales, the token endpoint's content types, family validation
 * reporting every violation, family variants with unique attributes, category moves that would
 * create a cycle, a family keeping the attributes its variants use as axes, family variant levels
 * (at most two, at least one axis each, an axis on its own level). Every case must pass.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCases } from '../../../src/sandbox/conformance/cases.js';
import { runConformance } from '../../../src/sandbox/conformance/runner.js';

const casesFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fidelity-cases.json');

describe('fidelity conformance cases (issue 16)', () => {
  it('every case passes against the sandbox', async () => {
    const cases = await loadCases(casesFile);
    expect(cases.length).toBeGreaterThanOrEqual(24);
    const { summary, results } = await runConformance({ casesFile });
    const failures = results.filter((r) => !r.passed).map((r) => `${r.id}: ${r.diffs.join(' | ')}`);
    expect(failures, failures.join('\n')).toEqual([]);
    expect(summary.passed).toBe(cases.length);
  }, 60_000);
});
