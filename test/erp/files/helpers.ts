import { afterAll } from 'vitest';
import { mkdtemp, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErpRecord, RejectedRecord, StreamName } from '../../../src/erp/port.js';
import { createFilesSource, type FilesConfigInput, type FilesSource, type FilesSourceOptions } from '../../../src/erp/files/index.js';

const created: string[] = [];
afterAll(async () => {
  await Promise.all(created.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

export async function dropFolder(files: Record<string, string | Buffer> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-files-'));
  created.push(dir);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

export interface ReadResult {
  records: ErpRecord[];
  rejects: RejectedRecord[];
}

export async function readAll(source: FilesSource, stream: StreamName = 'items', options: Parameters<FilesSource['read']>[1] = {}): Promise<ReadResult> {
  const records: ErpRecord[] = [];
  const rejects: RejectedRecord[] = [];
  for await (const r of source.read(stream, { ...options, onReject: (x) => rejects.push(x) })) records.push(r);
  return { records, rejects };
}

export function source(folder: string, config: Omit<FilesConfigInput, 'type' | 'folder'> = {}, opts: FilesSourceOptions = {}): FilesSource {
  return createFilesSource({ type: 'files', folder, ...config } as FilesConfigInput, opts);
}

/** Text as UTF-16 big-endian bytes (Node has no 'utf16be' encoding). */
export function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  for (let i = 0; i + 1 < le.length; i += 2) {
    const a = le[i]!;
    le[i] = le[i + 1]!;
    le[i + 1] = a;
  }
  return le;
}
