/* global module */
/**
 * Ferry's import rules (docs/architecture.md, "Import rules"), checked by `npm run lint`.
 * Every rule here is listed in that section with the same name; change both together.
 *
 * Layers: the core is src/akeneo, src/mapping and src/sync; the adapters are the ERP adapters
 * (everything in src/erp but the port, src/erp/port.ts), src/cli, src/server, src/sandbox, src/budget and src/jobs;
 * src/app is the composition root (it builds the ERP source from the config, starts the Quick
 * start's sandbox); web/ is the browser front end, which speaks to the back end only through the
 * API contract.
 */

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-no-adapter',
      comment:
        'The core (src/akeneo, src/mapping, src/sync) knows no adapter: no ERP adapter (only the port src/erp/port.ts), ' +
        'no src/cli, src/server, src/sandbox, src/budget or src/jobs, and not the composition root src/app. Adapters depend on ' +
        'the core, never the reverse.',
      severity: 'error',
      from: { path: '^src/(akeneo|mapping|sync)/' },
      to: { path: '^src/(erp/|cli/|server/|sandbox/|app/|budget/|jobs/)', pathNot: '^src/erp/port[.]ts$' },
    },
    {
      name: 'budget-implements-only-the-governor',
      comment:
        'The shared rate budget (src/budget) implements the client\'s governor interface (src/akeneo/governor.ts) ' +
        'and knows nothing else of Ferry: src/app hands it to the client.',
      severity: 'error',
      from: { path: '^src/budget/' },
      to: { path: '^src/', pathNot: '^src/(budget/|akeneo/governor[.]ts$|util/)' },
    },
    {
      name: 'jobs-queue-knows-only-json',
      comment:
        'The job queue (src/jobs: pg-boss and its tables) carries JSON and knows nothing else of Ferry: what a ' +
        'plan, a shard and a settle do is the composition root\'s (src/app/jobs.ts).',
      severity: 'error',
      from: { path: '^src/jobs/' },
      to: { path: '^src/', pathNot: '^src/(jobs/|util/)' },
    },
    {
      name: 'client-imports-no-mapping-or-sync',
      comment: 'The Akeneo client (src/akeneo) is the bottom of the core: it knows nothing of mapping or sync.',
      severity: 'error',
      from: { path: '^src/akeneo/' },
      to: { path: '^src/(mapping|sync)/' },
    },
    {
      name: 'mapping-imports-no-sync',
      comment: 'The mapper is pure functions from ERP records to Akeneo payloads: it does not know the engine.',
      severity: 'error',
      from: { path: '^src/mapping/' },
      to: { path: '^src/sync/' },
    },
    {
      name: 'sandbox-shares-only-the-model',
      comment:
        'The sandbox shares only src/akeneo/model.ts with the client, so a client bug cannot be masked by the ' +
        'sandbox agreeing with it: it imports nothing else of src/ outside src/sandbox.',
      severity: 'error',
      from: { path: '^src/sandbox/' },
      to: { path: '^src/', pathNot: '^src/(sandbox/|akeneo/model[.]ts$)' },
    },
    {
      name: 'erp-adapters-import-no-core',
      comment:
        'An ERP adapter reads and writes its ERP in the terms of the port (src/erp/port.ts): it imports nothing ' +
        'of the core, the entry points or the sandbox.',
      severity: 'error',
      from: { path: '^src/erp/' },
      to: { path: '^src/(akeneo|mapping|sync|cli|server|sandbox)/' },
    },
    {
      name: 'server-imports-no-cli',
      comment:
        'The Console (src/server) and the command line (src/cli) are two entry points side by side: what both ' +
        'need (the PIM check, runs, the Quick start) lives in the composition root src/app, not in one of them.',
      severity: 'error',
      from: { path: '^src/server/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'web-imports-only-the-api-contract',
      comment:
        'The browser front end (web/) knows the back end only through its API contract, src/server/api/contract.ts.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^src/', pathNot: '^src/server/api/contract[.]ts$' },
    },
    {
      name: 'util-imports-nothing-of-ferry',
      comment: 'src/util holds helpers with no knowledge of Ferry, which any layer may import: they import nothing else of src/.',
      severity: 'error',
      from: { path: '^src/util/' },
      to: { path: '^src/', pathNot: '^src/util/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve would hide an edge from the rules above.',
      severity: 'error',
      from: { path: '^(src|web)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports count: a type import across a seam is still a dependency on the other side.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Only the back end's sources and the front end's are checked (web/ may not exist yet).
    includeOnly: '^(src|web)/',
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
