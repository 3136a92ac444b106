/**
 * The drop folder: which files wait for which stream, and moving a processed file to
 * done/ or failed/ with its report. A move writes the report first (temp file, then
 * rename) and renames the data file last, so a crash at any point leaves the file
 * either still waiting (read again next run) or moved with its report.
 */
import { copyFile, mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { StreamPlan } from './plan.js';
import { reportJson, reportText, type FileReport } from './report.js';

export interface DropFile {
  path: string;
  name: string;
  size: number;
  mtimeMs: number;
}

/** Files in the folder (not sub-folders) matching the stream's patterns, oldest first (ties by name), so a later export wins. */
export async function listStreamFiles(folder: string, plan: StreamPlan, minAgeSeconds: number): Promise<DropFile[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const now = Date.now();
  const out: DropFile[] = [];
  for (const e of entries) {
    if (!e.isFile() || e.name.startsWith('.') || e.name.includes('.report.') || e.name.endsWith('.retry.json')) continue;
    if (!plan.patterns.some((re) => re.test(e.name))) continue;
    const path = join(folder, e.name);
    const st = await stat(path);
    if (minAgeSeconds > 0 && now - st.mtimeMs < minAgeSeconds * 1000) continue;
    out.push({ path, name: e.name, size: st.size, mtimeMs: st.mtimeMs });
  }
  out.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** A free name in the target folder: `items.csv`, else `items.2024-05-01T10-00-00Z.csv`, else with a counter. */
async function freeName(dir: string, name: string): Promise<string> {
  if (!(await exists(join(dir, name)))) return name;
  const ext = extname(name);
  const stem = basename(name, ext);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (let i = 0; ; i++) {
    const candidate = `${stem}.${stamp}${i ? `-${i}` : ''}${ext}`;
    if (!(await exists(join(dir, candidate)))) return candidate;
  }
}

async function writeAtomic(path: string, content: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, content, 'utf8');
  await rename(tmp, path);
}

async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    // done/ on another file system: copy, then remove the original.
    await copyFile(from, to);
    await unlink(from);
  }
}

export interface MoveOutcome {
  file: string;
  movedTo: string | null;
  /** Why it was left in place, when it was. */
  reason?: string;
}

/** Beside a file kept for retry: which keys of which stream it still holds. */
interface RetryNote {
  stream: string;
  keys: string[];
}

function retryNotePath(dataPath: string): string {
  return `${dataPath}.retry.json`;
}

/**
 * Moves a file to done/ (or failed/ when unreadable) with its report; a file whose report
 * lists retryKeys goes to the retry folder instead, with a note of those keys.
 */
export async function moveWithReport(file: DropFile, report: FileReport, doneDir: string, failedDir: string, retryDir?: string): Promise<MoveOutcome> {
  const st = await stat(file.path).catch(() => null);
  if (!st) return { file: file.name, movedTo: null, reason: 'the file is gone (moved or deleted by someone else)' };
  if (st.size !== report.size || st.mtimeMs !== report.mtimeMs) {
    return { file: file.name, movedTo: null, reason: 'the file changed while it was being read; it stays for the next run' };
  }
  const retrying = report.status !== 'failed' && retryDir !== undefined && !!report.retryKeys?.length;
  const dir = report.status === 'failed' ? failedDir : retrying ? retryDir : doneDir;
  await mkdir(dir, { recursive: true });
  const name = await freeName(dir, file.name);
  const target = join(dir, name);
  await writeAtomic(`${target}.report.json`, reportJson(report, target));
  await writeAtomic(`${target}.report.txt`, reportText(report, target));
  if (retrying) await writeAtomic(retryNotePath(target), `${JSON.stringify({ stream: report.stream, keys: report.retryKeys! } satisfies RetryNote)}\n`);
  await moveFile(file.path, target);
  return { file: file.name, movedTo: target };
}

/**
 * Files kept for retry whose keys no longer wait (they succeeded, from this file or a later
 * one) move on to done/ with their reports; the others keep a note of the keys still waiting.
 */
export async function releaseRetries(retryDir: string, doneDir: string, pending: ReadonlyMap<string, ReadonlySet<string>>): Promise<MoveOutcome[]> {
  const names = await readdir(retryDir).catch(() => [] as string[]);
  const out: MoveOutcome[] = [];
  for (const n of names) {
    if (!n.endsWith('.retry.json')) continue;
    const dataName = n.slice(0, -'.retry.json'.length);
    const dataPath = join(retryDir, dataName);
    let note: RetryNote;
    try {
      note = JSON.parse(await readFile(join(retryDir, n), 'utf8')) as RetryNote;
    } catch {
      continue; // a note being written or damaged: leave the file where it is
    }
    const waiting = pending.get(note.stream);
    const still = note.keys.filter((k) => waiting?.has(k));
    if (still.length === note.keys.length) continue;
    if (still.length) {
      await writeAtomic(join(retryDir, n), `${JSON.stringify({ stream: note.stream, keys: still } satisfies RetryNote)}\n`);
      continue;
    }
    if (!(await exists(dataPath))) {
      await unlink(join(retryDir, n)).catch(() => undefined);
      continue;
    }
    await mkdir(doneDir, { recursive: true });
    const target = join(doneDir, await freeName(doneDir, dataName));
    for (const ext of ['.report.json', '.report.txt']) {
      if (await exists(dataPath + ext)) await moveFile(dataPath + ext, target + ext);
    }
    await moveFile(dataPath, target);
    await unlink(join(retryDir, n));
    out.push({ file: dataName, movedTo: target });
  }
  return out;
}
