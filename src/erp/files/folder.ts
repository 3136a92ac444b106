/**
 * The drop folder: which files wait for which stream, and moving a processed file to
 * done/ or failed/ with its report. A move writes the report first (temp file, then
 * rename) and renames the data file last, so a crash at any point leaves the file
 * either still waiting (read again next run) or moved with its report.
 */
import { copyFile, mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
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
    if (!e.isFile() || e.name.startsWith('.') || e.name.includes('.report.')) continue;
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

export async function moveWithReport(file: DropFile, report: FileReport, doneDir: string, failedDir: string): Promise<MoveOutcome> {
  const st = await stat(file.path).catch(() => null);
  if (!st) return { file: file.name, movedTo: null, reason: 'the file is gone (moved or deleted by someone else)' };
  if (st.size !== report.size || st.mtimeMs !== report.mtimeMs) {
    return { file: file.name, movedTo: null, reason: 'the file changed while it was being read; it stays for the next run' };
  }
  const dir = report.status === 'failed' ? failedDir : doneDir;
  await mkdir(dir, { recursive: true });
  const name = await freeName(dir, file.name);
  const target = join(dir, name);
  await writeAtomic(`${target}.report.json`, reportJson(report, target));
  await writeAtomic(`${target}.report.txt`, reportText(report, target));
  await moveFile(file.path, target);
  return { file: file.name, movedTo: target };
}
