/** A small multipart/form-data parser (RFC 7578) for the media upload endpoints. */
export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export class MultipartError extends Error {
  override name = 'MultipartError';
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2])?.trim() : undefined;
}

export function parseMultipart(body: Buffer, boundary: string): Part[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new MultipartError('The multipart body has no part with the announced boundary.');
  while (true) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break;
    if (body.subarray(pos, pos + 2).toString() === '\r\n') pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw new MultipartError('A multipart part has no header terminator.');
    const headers = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(delimiter, headerEnd + 4);
    if (next < 0) throw new MultipartError('The multipart body is not terminated by its boundary.');
    let dataEnd = next;
    if (body[dataEnd - 2] === 0x0d && body[dataEnd - 1] === 0x0a) dataEnd -= 2;
    const part: Part = { name: '', data: body.subarray(headerEnd + 4, dataEnd) };
    for (const h of headers) {
      const idx = h.indexOf(':');
      if (idx < 0) continue;
      const key = h.slice(0, idx).trim().toLowerCase();
      const value = h.slice(idx + 1).trim();
      if (key === 'content-disposition') {
        const name = /\bname="([^"]*)"/i.exec(value);
        const filename = /\bfilename="([^"]*)"/i.exec(value);
        if (name) part.name = name[1] ?? '';
        if (filename) part.filename = filename[1] ?? '';
      } else if (key === 'content-type') part.contentType = value;
    }
    parts.push(part);
    pos = next;
  }
  return parts;
}
