/**
 * multipart/form-data bodies (RFC 7578) of the media upload endpoints, read with @fastify/busboy:
 * the body is already buffered by the route's content-type parser (so the per-route body limit of
 * app.ts applies); busboy finds the parts (a delimiter is CRLF + "--" + boundary, so the boundary's
 * text inside a file is content), and parses their headers (quoted and RFC 2231 parameters).
 */
import { Busboy } from '@fastify/busboy';

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

/** The parts of `body` in order, each read whole (fields too, as bytes); a malformed body rejects with a MultipartError. */
export function parseMultipart(body: Buffer, boundary: string): Promise<Part[]> {
  return new Promise((resolve, reject) => {
    const fail = (err: unknown): void => reject(new MultipartError(`The multipart body is malformed: ${err instanceof Error ? err.message : String(err)}`));
    let parser;
    try {
      parser = new Busboy({
        headers: { 'content-type': `multipart/form-data; boundary="${boundary}"` },
        // Every part is read as bytes (fields are JSON the routes decode); the path of a filename is kept (the
        // routes replace its separators, as before).
        isPartAFile: () => true,
        preservePath: true,
      });
    } catch (err) {
      fail(err);
      return;
    }
    const parts: Part[] = [];
    parser.on('file', (name, stream, filename, _encoding, mimeType) => {
      const chunks: Buffer[] = [];
      const part: Part = { name, data: Buffer.alloc(0), contentType: mimeType };
      if (filename !== undefined) part.filename = filename;
      parts.push(part);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => (part.data = Buffer.concat(chunks)));
      stream.on('error', fail);
    });
    parser.on('error', fail);
    parser.on('finish', () => resolve(parts));
    parser.end(body);
  });
}
