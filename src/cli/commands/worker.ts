/**
 * `ferry worker`: a process that works on queued runs (their plan, shards and settle) and fires
 * the queue's schedules, until SIGTERM / Ctrl-C. Needs `jobs.workers` and a PostgreSQL state
 * (docs/operations.md, "Workers"). Prints and exits; the work is src/app/jobs.ts's.
 */
import type { Command } from 'commander';
import { createLogger } from '../../logging.js';
import { queuedRunsEnabled, startWorker } from '../../app/jobs.js';
import { configFrom, UserError, withConfigOption } from '../output.js';

interface WorkerCliOptions {
  config?: string;
  concurrency?: string;
}

export function registerWorkerCommand(program: Command): void {
  withConfigOption(
    program
      .command('worker')
      .description('Work on queued runs (plan, shards, settle) and fire the scheduled runs; needs jobs.workers and state.url (PostgreSQL).')
      .option('--concurrency <n>', 'shards this process works on at once, each with its own PIM client on the one budget (two: the start and end of one overlap the writes of the other)', '2'),
  ).action(async (o: WorkerCliOptions) => {
    const concurrency = Number(o.concurrency ?? '2');
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) throw new UserError(`--concurrency ${o.concurrency}: give a whole number from 1 to 32.`);
    const config = await configFrom(o);
    if (!queuedRunsEnabled(config)) {
      throw new UserError('ferry worker needs jobs.workers: true and the state in PostgreSQL (state.url) in ferry.yaml; see docs/operations.md, "Workers".');
    }
    // JSON lines on stderr: a worker runs under systemd or a container, its logs are read by machines.
    const logger = createLogger({ level: process.env.FERRY_LOG_LEVEL ?? 'info' }, process.stderr);
    const worker = await startWorker(config, { concurrency, logger });
    await new Promise<void>((resolve) => {
      const onSignal = (sig: NodeJS.Signals) => {
        logger.info({ signal: sig }, 'stopping: finishing the jobs in hand');
        resolve();
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    });
    await worker.close();
    logger.info('worker stopped');
  });
}
