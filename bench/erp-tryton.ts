/**
 * Reads 10,000 Tryton variants through the adapter (all item fields, three languages) and
 * prints ONE JSON object: { rows, seconds, rowsPerSecond, peakRssMb, shareWaitingOnTryton, … }.
 * shareWaitingOnTryton is the share of the read's wall time during which a JSON-RPC call was
 * in flight: close to 1 means Tryton (werkzeug + SQLite) is the limit, not Ferry.
 *
 *   npx tsx bench/erp-tryton.ts [--variants 10000] [--page-size 500] [--languages en,de,fr]
 *
 * bench/erp.ts runs this as a child process and merges the object. Setup (database
 * initialisation + seeding) is cached under the OS temp dir and not part of the timing.
 */
import { createTrytonSource } from '../src/erp/tryton/index.js';
import { startTryton, trytonUnavailableReason } from '../test/support/tryton/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const variants = Number(arg('variants', '10000'));
  const pageSize = Number(arg('page-size', '500'));
  const languages = arg('languages', 'en,de,fr').split(',');
  const unavailable = trytonUnavailableReason();
  if (unavailable) {
    process.stdout.write(JSON.stringify({ name: 'erp-tryton', skipped: true, reason: unavailable }) + '\n');
    return;
  }
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const setupStarted = performance.now();
  const tryton = await startTryton({ seed: 'catalogue', variants });
  const setupSeconds = (performance.now() - setupStarted) / 1000;
  const source = createTrytonSource({
    type: 'tryton',
    url: tryton.url,
    database: tryton.database,
    username: tryton.username,
    password: tryton.password,
    languages,
    pageSize,
  });
  try {
    await source.check(); // login + preferences outside the timed read
    const before = source.rpcStats();
    const started = performance.now();
    let rows = 0;
    let rejected = 0;
    for await (const record of source.read('items', { onReject: () => rejected++ })) {
      if (record.key) rows++;
    }
    const seconds = (performance.now() - started) / 1000;
    const after = source.rpcStats();
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
    const result = {
      name: 'erp-tryton',
      source: 'tryton',
      rows,
      rejected,
      seconds: Number(seconds.toFixed(3)),
      rowsPerSecond: Math.round(rows / seconds),
      peakRssMb: Math.round(peakRss / 1024 / 1024),
      shareWaitingOnTryton: Number(((after.busyMs - before.busyMs) / 1000 / seconds).toFixed(3)),
      rpcCalls: after.calls - before.calls,
      // Where Tryton spends the time (summed call durations; language reads overlap).
      secondsByMethod: Object.fromEntries(
        Object.entries(after.byMethod)
          .map(([m, v]) => [m.replace(/^model\./, ''), Number(((v.ms - (before.byMethod[m]?.ms ?? 0)) / 1000).toFixed(2))] as const)
          .filter(([, v]) => v > 0)
          .sort((a, b) => b[1] - a[1]),
      ),
      pageSize,
      languages,
      setupSeconds: Number(setupSeconds.toFixed(1)),
      note: 'measured on a shared 2-core machine with other jobs running: pessimistic',
    };
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    clearInterval(sampler);
    await source.close();
    await tryton.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/erp-tryton failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
