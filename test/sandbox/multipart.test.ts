/**
 * Multipart bodies a hand-written parser gets wrong, sent to the sandbox's media upload as raw bytes
 * (so the test controls every delimiter and header): the parser is @fastify/busboy since issue 12.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { Api, openSandbox } from './helpers.js';

const BOUNDARY = 'ferryEdgeBoundary7';

/** One form part, its header lines given whole so a test can write any Content-Disposition. */
function part(headers: string[], content: Buffer | string): Buffer {
  return Buffer.concat([Buffer.from(`--${BOUNDARY}\r\n${headers.join('\r\n')}\r\n\r\n`), Buffer.from(content), Buffer.from('\r\n')]);
}
const END = Buffer.from(`--${BOUNDARY}--\r\n`);

describe('sandbox multipart parsing (media uploads)', () => {
  let sb: RunningSandbox;
  let api: Api;
  beforeAll(async () => {
    ({ sb, api } = await openSandbox({ catalog: 'demo' }));
    await api.call('POST', '/api/rest/v1/families', { code: 'edge_family', attributes: ['sku', 'packshot'], attribute_as_label: 'sku' });
    await api.call('POST', '/api/rest/v1/products', { identifier: 'edge1', family: 'edge_family' });
  });
  afterAll(() => sb.close());

  const target = JSON.stringify({ identifier: 'edge1', attribute: 'packshot', scope: null, locale: null });
  const post = (path: string, ...parts: Buffer[]) =>
    api.raw('POST', path, { headers: { authorization: `Bearer ${api.token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, body: Buffer.concat([...parts, END]) });
  const download = async (code: string) =>
    Buffer.from(await (await fetch(`${sb.url}/api/rest/v1/media-files/${code}/download`, { headers: { authorization: `Bearer ${api.token}` } })).arrayBuffer());

  it('keeps the boundary text inside a file as content (a delimiter starts a line)', async () => {
    // "--" + boundary in the middle of a line is data: only CRLF "--" boundary delimits a part.
    const content = Buffer.concat([Buffer.from('before --'), Buffer.from(BOUNDARY), Buffer.from(' after\r\nline2 --' + BOUNDARY + 'x')]);
    const r = await post(
      '/api/rest/v1/media-files',
      part(['Content-Disposition: form-data; name="product"'], target),
      part(['Content-Disposition: form-data; name="file"; filename="notes.png"', 'Content-Type: image/png'], content),
    );
    expect(r.status, r.text).toBe(201);
    const code = (r.headers.get('location') ?? '').split('/media-files/')[1] ?? '';
    expect(code).toMatch(/_notes\.png$/);
    expect(Buffer.compare(await download(code), content)).toBe(0);
    const meta = (await api.get(`/api/rest/v1/media-files/${code}`)).json();
    expect(meta).toMatchObject({ original_filename: 'notes.png', size: content.length, mime_type: 'image/png' });
  });

  it('reads a quoted filename with an escaped quote and a UTF-8 name whole', async () => {
    const r = await post('/api/rest/v1/asset-media-files', part(['Content-Disposition: form-data; name="file"; filename="say \\"cheese\\" café.jpg"', 'Content-Type: image/jpeg'], 'jpeg-bytes'));
    expect(r.status, r.text).toBe(201);
    expect(r.headers.get('asset-media-file-code')).toMatch(/_say "cheese" café\.jpg$/);
  });

  it('answers Akeneo\'s 422 when the file part is missing or is a plain field', async () => {
    const noFile = await post('/api/rest/v1/media-files', part(['Content-Disposition: form-data; name="product"'], target));
    expect(noFile.status).toBe(422);
    expect(noFile.json()).toEqual({ code: 422, message: 'Property "file" is required.' });
    // A "file" part without a filename is a form field, not an upload.
    const fieldOnly = await post('/api/rest/v1/media-files', part(['Content-Disposition: form-data; name="product"'], target), part(['Content-Disposition: form-data; name="file"'], 'not a file'));
    expect(fieldOnly.json()).toEqual({ code: 422, message: 'Property "file" is required.' });
  });

  it('answers 400 to a body cut before its closing delimiter, and stores nothing', async () => {
    const before = sb.stats().mediaFiles;
    const cut = Buffer.concat([part(['Content-Disposition: form-data; name="product"'], target), Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\npartial`)]);
    const r = await api.raw('POST', '/api/rest/v1/media-files', { headers: { authorization: `Bearer ${api.token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, body: cut });
    expect(r.status).toBe(400);
    expect(r.json<{ message: string }>().message).toMatch(/^The multipart body is malformed: /);
    expect(sb.stats().mediaFiles).toBe(before);
  });
});
