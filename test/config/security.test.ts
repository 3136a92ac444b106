/** ferry.yaml rules that keep credentials safe: no userinfo in URLs, no plain http to a remote PIM, readable errors. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { reportFatal } from '../../src/cli/output.js';

const base = (pim: string[], erp: string[] = ['erp:', '  type: demo']) => [...pim, ...erp, ''].join('\n');
const pim = (url: string, extra: string[] = []) => ['pim:', `  url: ${url}`, '  clientId: c', '  secret: s3cret', '  username: u', '  password: p4ss', ...extra];

function problems(text: string): string[] {
  try {
    parseConfig(text, 'ferry.yaml', {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('config: credentials stay out of URLs', () => {
  it('refuses user:password in pim.url and in a Tryton erp.url', () => {
    expect(problems(base(pim('https://bob:hunter2@pim.example')))).toEqual([
      'pim.url: holds user:password; remove them from the URL and use pim.clientId/secret/username/password (or pim.token)',
    ]);
    expect(problems(base(pim('https://pim.example'), ['erp:', '  type: tryton', '  url: http://admin:pw@127.0.0.1:8000', '  database: d', '  username: u', '  password: p']))).toEqual([
      'erp.url: holds user:password; remove them from the URL and use erp.username and erp.password',
    ]);
  });
});

describe('config: plain http to a remote PIM', () => {
  it('is refused unless pim.allowInsecureHttp is true; loopback is fine', () => {
    expect(problems(base(pim('http://pim.example.com')))[0]).toMatch(/^pim.url: plain http:\/\/ to pim.example.com would send the PIM credentials and tokens unencrypted; use https:\/\/, or set pim.allowInsecureHttp: true/);
    expect(problems(base(pim('http://pim.example.com', ['  allowInsecureHttp: true'])))).toEqual([]);
    for (const url of ['http://localhost:8081', 'http://127.0.0.1:8081', 'http://[::1]:8081', 'https://pim.example.com']) expect(problems(base(pim(url)))).toEqual([]);
    expect(problems(base(['pim:', '  url: http://10.0.0.5', '  token: t0ken'])).length).toBe(1);
  });
});

describe('config errors are not garbled by the secret scrubber', () => {
  it('prints "pim.secret: Invalid input: expected string", not "[redacted] input"', () => {
    const chunks: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((c: string) => (chunks.push(String(c)), true)) as typeof process.stderr.write;
    try {
      const err = (() => {
        try {
          parseConfig(base(['pim:', '  url: https://pim.example', '  clientId: c', '  secret: 12', '  username: u', '  password: hunter22']), 'ferry.yaml', {});
        } catch (e) {
          return e;
        }
      })();
      reportFatal(err);
    } finally {
      process.stderr.write = write;
    }
    const text = chunks.join('');
    expect(text).toContain('pim.secret: Invalid input: expected string');
    expect(text).not.toContain('[redacted] input');
  });
});
