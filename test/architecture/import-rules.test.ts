/**
 * The import rules of .dependency-cruiser.cjs (docs/architecture.md, "Import rules") bite: a
 * small tree with one forbidden import per rule, and allowed ones beside them, is checked with
 * the project's own config by the same command `npm run lint` runs.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** file → the files it imports (relative specifiers are made from these); `type:` marks a type-only import. */
const TREE: Record<string, string[]> = {
  'src/akeneo/model.ts': [],
  'src/akeneo/client.ts': ['src/akeneo/model.ts'],
  'src/akeneo/bad-sandbox.ts': ['src/sandbox/app.ts'],
  'src/akeneo/bad-mapping.ts': ['src/mapping/ok.ts'],
  'src/akeneo/governor.ts': [],
  'src/akeneo/bad-budget.ts': ['src/budget/postgres.ts'],
  'src/budget/postgres.ts': ['src/akeneo/governor.ts', 'src/util/chunks.ts'],
  'src/budget/bad-client.ts': ['src/akeneo/client.ts'],
  'src/jobs/queue.ts': ['src/util/chunks.ts'],
  'src/jobs/bad-sync.ts': ['src/sync/engine.ts'],
  'src/sync/bad-jobs.ts': ['src/jobs/queue.ts'],
  'src/app/jobs.ts': ['src/jobs/queue.ts', 'src/sync/index.ts'],
  'src/mapping/ok.ts': ['src/erp/port.ts', 'src/akeneo/client.ts', 'src/util/chunks.ts'],
  'src/mapping/bad-adapter.ts': ['src/erp/sql/index.ts'],
  'src/mapping/bad-type-only.ts': ['type:src/sandbox/app.ts'],
  'src/mapping/bad-sync.ts': ['src/sync/engine.ts'],
  'src/sync/engine.ts': ['src/mapping/ok.ts', 'src/akeneo/client.ts', 'src/erp/port.ts'],
  'src/sync/bad-cli.ts': ['src/cli/index.ts'],
  'src/sync/bad-server.ts': ['src/server/app.ts'],
  'src/sync/index.ts': ['src/sync/engine.ts', 'src/erp/port.ts'],
  'src/sync/bad-factory.ts': ['src/erp/factory.ts'],
  'src/sync/bad-app.ts': ['src/app/run-sync.ts'],
  'src/app/run-sync.ts': ['src/sync/index.ts', 'src/erp/factory.ts', 'src/budget/postgres.ts'],
  'src/app/quickstart.ts': ['src/app/run-sync.ts', 'src/sandbox/index.ts', 'src/erp/factory.ts'],
  'src/sandbox/app.ts': ['src/akeneo/model.ts'],
  'src/sandbox/index.ts': ['src/sandbox/app.ts'],
  'src/sandbox/bad-client.ts': ['src/akeneo/client.ts'],
  'src/sandbox/bad-logging.ts': ['src/logging.ts'],
  'src/logging.ts': [],
  'src/util/chunks.ts': [],
  'src/util/bad-core.ts': ['src/akeneo/model.ts'],
  'src/erp/port.ts': [],
  'src/erp/factory.ts': ['src/erp/sql/index.ts', 'src/erp/tryton/index.ts'],
  'src/erp/sql/index.ts': ['src/erp/port.ts', 'src/logging.ts'],
  'src/erp/tryton/index.ts': ['src/erp/port.ts', 'src/util/chunks.ts'],
  'src/erp/tryton/bad-core.ts': ['src/mapping/ok.ts'],
  'src/cli/index.ts': ['src/sync/engine.ts', 'src/sandbox/index.ts', 'src/erp/factory.ts'],
  'src/server/api/contract.ts': [],
  'src/server/app.ts': ['src/sync/engine.ts', 'src/server/api/contract.ts', 'src/app/run-sync.ts'],
  'src/server/bad-cli.ts': ['src/cli/index.ts'],
  'web/src/main.ts': ['src/server/api/contract.ts', 'web/src/view.ts'],
  'web/src/view.ts': [],
  'web/src/bad-engine.ts': ['src/sync/engine.ts'],
  'web/src/bad-server.ts': ['src/server/app.ts'],
};

/** Every forbidden edge of TREE, as `rule: from → to`; no other violation may be reported. */
const EXPECTED = [
  'core-imports-no-adapter: src/akeneo/bad-sandbox.ts → src/sandbox/app.ts',
  'core-imports-no-adapter: src/mapping/bad-adapter.ts → src/erp/sql/index.ts',
  'core-imports-no-adapter: src/mapping/bad-type-only.ts → src/sandbox/app.ts',
  'core-imports-no-adapter: src/sync/bad-cli.ts → src/cli/index.ts',
  'core-imports-no-adapter: src/sync/bad-server.ts → src/server/app.ts',
  'core-imports-no-adapter: src/sync/bad-factory.ts → src/erp/factory.ts',
  'core-imports-no-adapter: src/sync/bad-app.ts → src/app/run-sync.ts',
  'core-imports-no-adapter: src/akeneo/bad-budget.ts → src/budget/postgres.ts',
  'budget-implements-only-the-governor: src/budget/bad-client.ts → src/akeneo/client.ts',
  'core-imports-no-adapter: src/sync/bad-jobs.ts → src/jobs/queue.ts',
  'jobs-queue-knows-only-json: src/jobs/bad-sync.ts → src/sync/engine.ts',
  'client-imports-no-mapping-or-sync: src/akeneo/bad-mapping.ts → src/mapping/ok.ts',
  'mapping-imports-no-sync: src/mapping/bad-sync.ts → src/sync/engine.ts',
  'sandbox-shares-only-the-model: src/sandbox/bad-client.ts → src/akeneo/client.ts',
  'sandbox-shares-only-the-model: src/sandbox/bad-logging.ts → src/logging.ts',
  'erp-adapters-import-no-core: src/erp/tryton/bad-core.ts → src/mapping/ok.ts',
  'util-imports-nothing-of-ferry: src/util/bad-core.ts → src/akeneo/model.ts',
  'server-imports-no-cli: src/server/bad-cli.ts → src/cli/index.ts',
  'web-imports-only-the-api-contract: web/src/bad-engine.ts → src/sync/engine.ts',
  'web-imports-only-the-api-contract: web/src/bad-server.ts → src/server/app.ts',
].sort();

function specifier(from: string, to: string): string {
  let rel = join(...dirname(from).split('/').map(() => '..'), to).replace(/\.ts$/, '.js');
  if (!rel.startsWith('.')) rel = './' + rel;
  return rel;
}

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** Runs depcruise as `npm run lint` does (its exit code), or with `json` for the violations. */
function cruise(cwd: string, json: boolean): { status: number | null; violations: Violation[]; stdout: string; stderr: string } {
  const bin = join(repo, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const args = [bin, '--config', join(repo, '.dependency-cruiser.cjs'), ...(json ? ['--output-type', 'json'] : []), '.'];
  const run = spawnSync(process.execPath, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = json && run.stdout ? (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }) : { summary: { violations: [] } };
  return { status: run.status, violations: out.summary.violations, stdout: run.stdout, stderr: run.stderr };
}

describe('import rules (.dependency-cruiser.cjs)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-import-rules-'));
    copyFileSync(join(repo, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    for (const [file, imports] of Object.entries(TREE)) {
      mkdirSync(join(dir, dirname(file)), { recursive: true });
      const lines = imports.map((target, i) => {
        const typeOnly = target.startsWith('type:');
        const to = typeOnly ? target.slice(5) : target;
        return typeOnly
          ? `import type { Thing as T${i} } from '${specifier(file, to)}';\nexport type U${i} = T${i};`
          : `import { thing as t${i} } from '${specifier(file, to)}';\nexport const u${i} = t${i};`;
      });
      writeFileSync(join(dir, file), [...lines, 'export const thing = 1;', 'export type Thing = number;', ''].join('\n'));
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports each forbidden import, with its rule, and no allowed one', () => {
    const { violations, stderr } = cruise(dir, true);
    const seen = violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
    expect(seen, stderr).toEqual(EXPECTED);
  }, 120_000);

  it('fails the command when a rule is broken, naming the rule and the import', () => {
    const run = cruise(dir, false);
    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain('error sandbox-shares-only-the-model: src/sandbox/bad-client.ts → src/akeneo/client.ts');
  }, 120_000);
});
