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
