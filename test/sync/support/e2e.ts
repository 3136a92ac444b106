/**
 * Scaffolding the end-to-end sync tests share: temporary directories removed after the test
 * file, the report's count invariant, and the `pim:` section of a config aimed at a sandbox.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import type { RunningSandbox } from '../../../src/sandbox/index.js';
import { countsAddUp, type RunReport } from '../../../src/sync/report.js';

/**
 * A maker of temporary directories named `<prefix>XXXXXX`, all removed once the test file is
 * done. Call it at the top level of the file, where vitest registers the file's afterAll.
 */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}

/** Every record read ended as exactly one outcome, in the totals and for each entity type. */
export function checkCounts(r: RunReport): void {
  expect(countsAddUp(r.counts), JSON.stringify(r.counts)).toBe(true);
  for (const t of Object.values(r.byType)) expect(countsAddUp(t), JSON.stringify(t)).toBe(true);
}

/** The `pim:` config section for a sandbox's connection; `overrides` change or add keys. */
export function sandboxPimConfig(sb: RunningSandbox, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { url: sb.url, clientId: sb.clientId, secret: sb.secret, username: sb.username, password: sb.password, timeoutMs: 3000, ...overrides };
}
