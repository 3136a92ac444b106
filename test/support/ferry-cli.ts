/** Runs the `ferry` command as a real child process (tsx, no build needed), in a chosen directory. */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export interface FerryResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function ferry(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, stdin?: string): Promise<FerryResult> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/index.ts'), ...args], {
    cwd,
    env: { ...process.env, FERRY_LOG_LEVEL: 'warn', ...env },
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  if (stdin !== undefined) child.stdin!.end(stdin);
  return new Promise((r) => child.on('exit', (code) => r({ code, stdout, stderr })));
}
