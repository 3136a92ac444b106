/**
 * The PIM sandbox in a process of its own, for the benchmarks: the Ferry process's memory and
 * CPU are then Ferry's alone (the sandbox holds the whole catalog in memory). The child prints
 * its URL and credentials on its first stdout line and stops when its stdin closes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface SandboxProcess {
  url: string;
  clientId: string;
  secret: string;
  username: string;
  password: string;
  child: ChildProcess;
  stats(): Promise<Record<string, unknown>>;
  /** The child's peak resident memory so far (VmHWM, MB); null where /proc is missing. */
  peakRssMb(): number | null;
  close(): Promise<void>;
}

export interface SandboxProcessOptions {
  /** src/sandbox/index.ts (through tsx) or dist/sandbox/index.js. */
  entry: string;
  /** Run the entry through tsx (a .ts entry). */
  tsx: boolean;
  cwd: string;
  /** More node flags (CPU profiles). */
  nodeFlags?: string[];
}

export async function startSandboxProcess(how: SandboxProcessOptions, options: Record<string, unknown>): Promise<SandboxProcess> {
  const script = `
    import { startSandbox } from ${JSON.stringify(how.entry)};
    const sb = await startSandbox(${JSON.stringify({ catalog: 'demo', ...options })});
    process.stdout.write(JSON.stringify({ url: sb.url, clientId: sb.clientId, secret: sb.secret, username: sb.username, password: sb.password }) + '\\n');
    process.stdin.resume();
    process.stdin.on('end', async () => { await sb.close(); process.exit(0); });
  `;
  const child = spawn(process.execPath, ['--max-old-space-size=4096', ...(how.nodeFlags ?? []), ...(how.tsx ? ['--import', 'tsx'] : []), '--input-type=module', '-e', script], {
    cwd: how.cwd,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const first = await new Promise<{ url: string; clientId: string; secret: string; username: string; password: string }>((resolveFirst, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolveFirst(JSON.parse(buf.slice(0, nl)) as never);
    });
    child.on('exit', (c) => reject(new Error(`sandbox process exited with ${c}`)));
  });
  return {
    ...first,
    child,
    stats: async () => (await (await fetch(`${first.url}/_sandbox/stats`)).json()) as Record<string, unknown>,
    peakRssMb: () => {
      try {
        const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
        return kb ? Math.round(Number(kb) / 1024) : null;
      } catch {
        return null;
      }
    },
    close: async () => {
      child.stdin!.end();
      await new Promise((r) => child.on('exit', r));
    },
  };
}
