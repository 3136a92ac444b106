/**
 * `ferry pim check` against the sandbox as each edition and version (issue 19): the version,
 * edition and endpoint mode it reports, found through /system-information where the PIM has it
 * (6.0+) and by probing where it does not (5.0).
 */
import { describe, expect, it } from 'vitest';
import { runPimCheck } from '../../src/app/pim-check.js';
import { formatPimCheck } from '../../src/cli/commands/pim.js';
import { startSandbox } from '../../src/sandbox/index.js';

const CASES = [
  { edition: 'ce', version: '5.0', expect: { version: 'before 6.0', edition: 'CE', endpointMode: 'identifier' } },
  { edition: 'ee', version: '5.0', expect: { version: 'before 6.0', edition: 'EE', endpointMode: 'identifier' } },
  { edition: 'ce', version: '6.0', expect: { version: '6.0.28', edition: 'CE', endpointMode: 'identifier' } },
  { edition: 'ee', version: '6.0', expect: { version: '6.0.28', edition: 'EE', endpointMode: 'identifier' } },
  { edition: 'ce', version: '7.0', expect: { version: '7.0.40', edition: 'CE', endpointMode: 'uuid' } },
  { edition: 'ee', version: '7.0', expect: { version: '7.0.40', edition: 'EE', endpointMode: 'uuid' } },
  { edition: 'saas', version: undefined, expect: { version: 'v20230112013744', edition: 'Serenity', endpointMode: 'uuid' } },
] as const;

describe('ferry pim check on every edition', () => {
  for (const c of CASES) {
    it(`${c.edition} ${c.version ?? ''}: ${c.expect.version} (${c.expect.edition}), ${c.expect.endpointMode} endpoints`, async () => {
      const sb = await startSandbox({ catalog: 'demo', edition: c.edition, ...(c.version ? { version: c.version } : {}) });
      try {
        const report = await runPimCheck({ url: sb.url, clientId: sb.clientId, secret: sb.secret, username: sb.username, password: sb.password } as never);
        expect(report).toMatchObject(c.expect);
        const text = formatPimCheck(report);
        expect(text).toContain(`Version      ${c.expect.version} (${c.expect.edition})`);
        expect(text).toContain(c.expect.endpointMode === 'uuid' ? 'uuid (/products-uuid)' : 'identifier (/products)');
        // Nothing the edition lacks was called, except the probes a 5.0 needs.
        const missed = Object.entries(sb.stats().requests).filter(([route, byStatus]) => route.includes('(no route)') && Object.keys(byStatus).length > 0);
        expect(missed.length).toBe(c.version === '5.0' ? 1 : 0);
      } finally {
        await sb.close();
      }
    });
  }
});
