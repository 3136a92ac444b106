import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { configJsonSchema } from '../../src/config/schema.js';

const valid = `
pim:
  url: http://127.0.0.1:8081
  clientId: ferry
  secret: \${FERRY_SECRET}
  username: admin
  password: \${FERRY_PASSWORD:-admin}
erp:
  type: demo
`;

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(text, 'ferry.yaml', env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('config loading', () => {
  it('interpolates ${ENV} and applies defaults', () => {
    const config = parseConfig(valid, 'ferry.yaml', { FERRY_SECRET: 's3cret' });
    expect(config.pim).toMatchObject({ secret: 's3cret', password: 'admin', endpoints: 'auto' });
    expect(config.pim.limits).toEqual({ concurrency: 4, requestsPerSecond: 100, optionWritesPerSecond: 3, maxRetries: 6 });
    expect(config.state.path).toBe('./data/ferry.db');
  });

  it('reports every problem at once with its key path', () => {
    const problems = problemsOf(
      `
pim:
  url: not-a-url
  clientId: ferry
  secret: x
  username: admin
  password: y
  limits: { concurrency: 0 }
erp:
  type: tryton
  url: http://127.0.0.1:8000
state:
  pth: typo
`,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pim\.url: /),
        expect.stringMatching(/^pim\.limits\.concurrency: /),
        expect.stringMatching(/^erp\.database: /),
        expect.stringMatching(/^erp\.username: /),
        expect.stringMatching(/^state\.pth: unknown key/),
      ]),
    );
    expect(problems.length).toBeGreaterThanOrEqual(5);
  });

  it('names a missing environment variable and how to fix it', () => {
    const problems = problemsOf(valid, {});
    expect(problems).toContain(
      'pim.secret: environment variable FERRY_SECRET is not set; export it or write ${FERRY_SECRET:-default}',
    );
  });

  it('reports YAML syntax errors with their line', () => {
    const problems = problemsOf('pim:\n  url: [unclosed\n');
    expect(problems[0]).toMatch(/^line \d+: YAML syntax/);
  });

  it('exports a JSON Schema covering every section', () => {
    const schema = configJsonSchema() as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['pim', 'erp', 'mapping', 'state', 'sync']));
    expect(JSON.stringify(schema)).toContain('clientId');
  });
});

describe('${VAR} in number and boolean keys', () => {
  const text = `
pim:
  url: http://127.0.0.1:8081
  token: t
  timeoutMs: \${PIM_TIMEOUT:-120}
  limits:
    concurrency: \${PIM_CONCURRENCY}
erp:
  type: demo
  items: \${DEMO_ITEMS:-40}
sync:
  updateOnly: \${UPDATE_ONLY:-false}
  lockTimeoutSeconds: \${LOCK_TIMEOUT:-300}
`;
  it('fills a number or a boolean key from a default or from the environment', () => {
    const a = parseConfig(text, 'ferry.yaml', { PIM_CONCURRENCY: '2' });
    expect(a.pim.timeoutMs).toBe(120);
    expect(a.pim.limits.concurrency).toBe(2);
    expect(a.erp).toMatchObject({ items: 40 });
    expect(a.sync.updateOnly).toBe(false);
    expect(a.sync.lockTimeoutSeconds).toBe(300);
    const b = parseConfig(text, 'ferry.yaml', { PIM_CONCURRENCY: '3', UPDATE_ONLY: 'true', PIM_TIMEOUT: '5000' });
    expect(b.sync.updateOnly).toBe(true);
    expect(b.pim.timeoutMs).toBe(5000);
  });
  it('a value that is not a number is still reported with its key path; text keys stay text', () => {
    expect(problemsOf(text, { PIM_CONCURRENCY: 'four' }).join('\n')).toMatch(/pim\.limits\.concurrency: .*number/);
    const c = parseConfig(`pim:\n  url: https://x\n  clientId: \${ID:-123}\n  secret: s\n  username: u\n  password: \${PW:-true}\nerp: { type: demo }`, 'f.yaml', {});
    expect(c.pim).toMatchObject({ clientId: '123', password: 'true' });
  });
});
