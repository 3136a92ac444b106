import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from '../../src/logging.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, stream };
}

describe('secret redaction', () => {
  it('redacts secrets by key at any depth of a log record', () => {
    const { lines, stream } = capture();
    const log = createLogger({ level: 'info' }, stream);
    log.info(
      {
        pim: { url: 'http://pim', clientId: 'ferry', secret: 'TOPSECRET1', password: 'TOPSECRET2' },
        erp: { nested: { auth: { password: 'TOPSECRET3' } } },
        token: 'TOPSECRET4',
        access_token: 'TOPSECRET5',
      },
      'connecting',
    );
    const text = lines.join('');
    expect(text).toContain('"clientId":"ferry"');
    for (const n of [1, 2, 3, 4, 5]) expect(text).not.toContain(`TOPSECRET${n}`);
    expect(text).toContain('[redacted]');
  });

  it('scrubs credentials out of free text', () => {
    const text = scrubSecrets(
      'GET /x failed: Authorization: Bearer abc.DEF-123 body {"password":"hunter2","username":"admin"} secret=xyz&grant_type=password',
      ['hunter2'],
    );
    expect(text).not.toMatch(/abc\.DEF-123|hunter2|xyz/);
    expect(text).toContain('admin');
  });
});
