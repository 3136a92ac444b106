/** `pim.connections`, `pim.limits.instanceShare` and `pim.limits.shared` in ferry.yaml. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { pimSecrets } from '../../src/akeneo/config.js';

const withPim = (pim: string) => `pim:\n${pim}\nerp:\n  type: demo\n`;

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'ferry.yaml', { S2: 'second-secret' });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('pim.connections and the shared budget in ferry.yaml', () => {
  it('reads several connections, the instance share and the shared budget', () => {
    const config = parseConfig(
      withPim(`  url: https://acme.cloud.akeneo.com
  connections:
    - { clientId: erp-1, secret: s1, username: u1, password: p1 }
    - { clientId: erp-2, secret: "\${S2}", username: u2, password: p2 }
  limits:
    instanceShare: 0.6
    shared: { url: postgres://ferry@db/ferry }`),
      'ferry.yaml',
      { S2: 'second-secret' },
    );
    const pim = config.pim;
    expect('connections' in pim && pim.connections.map((c) => c.clientId)).toEqual(['erp-1', 'erp-2']);
    expect(pim.limits).toMatchObject({ instanceShare: 0.6, shared: { url: 'postgres://ferry@db/ferry', leaseMs: 15_000 } });
    expect(pimSecrets(pim)).toEqual(['s1', 'p1', 'second-secret', 'p2']);
  });

  it('refuses the same connection twice, a share over 1 and a shared URL that is not PostgreSQL', () => {
    const problems = problemsOf(
      withPim(`  url: https://acme.cloud.akeneo.com
  connections:
    - { clientId: erp-1, secret: s1, username: u1, password: p1 }
    - { clientId: erp-1, secret: s2, username: u2, password: p2 }
  limits:
    instanceShare: 1.5
    shared: { url: redis://127.0.0.1:6379 }`),
    ).join('\n');
    expect(problems).toMatch(/same clientId twice/);
    expect(problems).toMatch(/instanceShare/);
    expect(problems).toMatch(/postgres:\/\/ URL/);
  });
});
