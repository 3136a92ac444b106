/**
 * Reads N products (default 100,000) from the local OData server (SAP CAP serving the S/4-shaped
 * API_PRODUCT_SRV of test/erp/odata/server.ts, in a child process so its memory is not ours)
 * through the OData adapter, profile s4 (names and long texts expanded), and prints ONE JSON
 * object: { rows, seconds, rowsPerSecond, shareWaitingOnServer, peakRssMB, … }.
 * shareWaitingOnServer is the share of the read's wall time spent waiting for HTTP answers:
 * close to 1 means the server is the limit, not Ferry.
 *
 *   npx tsx bench/erp-odata.ts [--items 100000] [--version 4|2] [--page-size 1000]
 *
 * bench/erp.ts runs this and merges the object under `odata`. Loading the server is not timed.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d;

async function serve(items: number): Promise<void> {
  const { generatedProducts } = await import('../test/erp/odata/catalog.js');
  const { capProblem, startODataServer } = await import('../test/erp/odata/server.js');
  const problem = await capProblem();
  if (problem) {
    process.stdout.write(`${JSON.stringify({ problem })}\n`);
    return;
  }
  const started = performance.now();
  const server = await startODataServer(generatedProducts(items));
  process.stdout.write(`${JSON.stringify({ v2: server.v2, v4: server.v4, loadSeconds: round((performance.now() - started) / 1000) })}\n`);
  // Runs until the parent closes our stdin.
  process.stdin.resume();
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
}

async function main(): Promise<void> {
  const items = Number(arg('items', process.env.BENCH_ERP_ITEMS ?? '100000'));
  const version = arg('version', '4') === '2' ? '2' : '4';
  const pageSize = arg('page-size', '');
  const child = spawn(process.execPath, [...process.execArgv, import.meta.filename, '--serve', String(items)], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const first = await new Promise<string>((ok, fail) => {
      const lines = createInterface({ input: child.stdout! });
      lines.once('line', ok);
      child.once('exit', (code) => fail(new Error(`OData server exited ${code}`)));
    });
    const info = JSON.parse(first) as { problem?: string; v2: string; v4: string; loadSeconds: number };
    if (info.problem) {
      process.stdout.write(`${JSON.stringify({ name: 'erp-odata', skipped: true, reason: info.problem })}\n`);
      return;
    }
    const { createOdataSource } = await import('../src/erp/odata/index.js');
    const source = createOdataSource({
      type: 'odata',
      profile: 's4',
      url: version === '2' ? info.v2 : info.v4,
      auth: { kind: 'basic', username: 'CONNECTOR', password: 'Welcome1' },
      ...(pageSize ? { pageSize: Number(pageSize) } : {}),
    });
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    let rows = 0;
    let rejected = 0;
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    for await (const _record of source.read('items', { onReject: () => rejected++ })) rows++;
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    clearInterval(sampler);
    const stats = source.httpStats();
    await source.close();
    process.stdout.write(
      `${JSON.stringify({
        name: 'erp-odata',
        server: `SAP CAP ${version === '2' ? 'v2 adapter over v4' : 'v4'}, in-memory SQLite, separate process`,
        serverLoadSeconds: info.loadSeconds,
        rows,
        rejected,
        seconds: round(seconds, 3),
        rowsPerSecond: Math.round(rows / seconds),
        requests: stats.requests,
        shareWaitingOnServer: round(stats.waitMs / 1000 / seconds, 3),
        clientCpuSeconds: round((cpu.user + cpu.system) / 1e6, 3),
        clientRowsPerCpuSecond: Math.round(rows / ((cpu.user + cpu.system) / 1e6)),
        peakRssMB: round(Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 1024 / 1024, 1),
        rssTargetMB: 200,
        pass: rows === items && rejected === 0 && Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 1024 / 1024 < 200,
      })}\n`,
    );
  } finally {
    child.stdin?.end();
    await new Promise((r) => {
      if (child.exitCode !== null) r(null);
      else child.once('exit', r);
    });
  }
}

const serveIndex = process.argv.indexOf('--serve');
if (serveIndex >= 0) await serve(Number(process.argv[serveIndex + 1]));
else await main();
