/**
 * `ferry serve` as a person starts it in a folder (a child process, no config, no user yet): the
 * first-run wizard's browser tests wait for the one-time setup link it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../support/ferry-cli.js';

export interface ServedFerry {
  child: ChildProcess;
  url: string;
  link: string;
  output: () => string;
}

/** `ferry serve --port 0` in `cwd`; resolves with the setup link it prints. */
export function serveFirstRun(cwd: string): Promise<ServedFerry> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/index.ts'), 'serve', '--port', '0'], {
    cwd,
    env: { ...process.env, FERRY_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no setup link in 60 s:\n${out}`)), 60_000);
    const check = () => {
      const link = /(http:\/\/\S+\/setup\?token=\S+)/.exec(out)?.[1];
      const url = /Ferry Console: (http:\/\/\S+)/.exec(out)?.[1];
      if (link && url) {
        clearTimeout(timer);
        resolve({ child, url, link, output: () => out });
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`ferry serve exited (${code}):\n${out}`)));
  });
}
