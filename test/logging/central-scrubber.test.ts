/** The one scrubber: knows every configured secret, in every encoding, and URL userinfo. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { configSecrets, createLogger, registerConfigSecrets, scrubKnownSecrets, scrubSecrets, scrubbedJson } from '../../src/logging.js';

describe('configSecrets', () => {
  it('finds secret keys at any depth, URL passwords and connection-string passwords; not ordinary keys', () => {
    const found = configSecrets({
      pim: { url: 'https://pim.example', clientId: 'cid', secret: 'S-1', password: 'P-1', token: 'T-1' },
      erp: { type: 'sql', connection: 'postgres://u:P%40ss-2@db/x', streams: { items: { key: 'sku', table: 'items' } } },
      other: { dsn: 'Server=db;User Id=u;Password=P-3;', hooks: [{ url: 'https://u:P-4@hook.example' }] },
      events: { secret: 'E-1', platformSecret: 'E-2' },
    });
    expect(found).toEqual(expect.arrayContaining(['S-1', 'P-1', 'T-1', 'P%40ss-2', 'P@ss-2', 'P-3', 'P-4', 'E-1', 'E-2']));
    expect(found).not.toContain('sku');
    expect(found).not.toContain('cid');
  });
});

describe('scrubKnownSecrets', () => {
  registerConfigSecrets({ erp: { password: 'quo"te\\secret-99' }, pim: { secret: 'plain-secret-77' } });
  it('removes a registered secret as written, JSON-escaped and URL-encoded', () => {
    expect(scrubKnownSecrets('x plain-secret-77 y')).toBe('x [redacted] y');
    expect(scrubKnownSecrets(JSON.stringify({ echoed: 'quo"te\\secret-99' }))).toBe('{"echoed":"[redacted]"}');
    expect(scrubKnownSecrets(`a=${encodeURIComponent('quo"te\\secret-99')}`)).toBe('a=[redacted]');
    expect(scrubbedJson({ deep: [{ v: 'plain-secret-77' }] })).toBe('{"deep":[{"v":"[redacted]"}]}');
  });
  it('removes URL userinfo anywhere, keeping the rest of the address', () => {
    expect(scrubKnownSecrets('see https://bob:hunter2@cdn.example/a.png and postgres://u:p@db:5432/x')).toBe('see https://[redacted]@cdn.example/a.png and postgres://[redacted]@db:5432/x');
  });
  it('leaves config error texts alone (no pattern guessing)', () => {
    expect(scrubKnownSecrets('pim.secret: Invalid input: expected string')).toBe('pim.secret: Invalid input: expected string');
    expect(scrubSecrets('password=abc&x=1')).toBe('password=[redacted]&x=1');
  });
  it('every log line passes through it, whatever key carries the secret', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info' }, new Writable({ write: (c: Buffer, _e, done) => (lines.push(c.toString()), done()) }));
    logger.warn({ body: '<html>echo plain-secret-77</html>', url: 'https://u:pw@x.example/' }, 'odd answer plain-secret-77');
    expect(lines.join('')).not.toContain('plain-secret-77');
    expect(lines.join('')).not.toContain('u:pw@');
  });
});
