/**
 * The TTY progress bar of a sync run (records settled / records read, rate, ETA), drawn on
 * stderr so stdout stays clean for the report or --json.
 */
import cliProgress from 'cli-progress';
import type { SyncProgress } from './engine.js';

export interface ProgressView {
  update(p: SyncProgress): void;
  stop(): void;
}

export function createProgressBar(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'sync {phase} [{bar}] {percentage}% | {value}/{total} records | {rate}/s | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let running = false;
  return {
    update(p) {
      const rate = Math.round(p.settled / Math.max(0.001, (Date.now() - started) / 1000));
      const total = Math.max(p.read, 1);
      if (!running) {
        bar.start(total, p.settled, { phase: p.phase, rate });
        running = true;
        return;
      }
      bar.setTotal(total);
      bar.update(p.settled, { phase: p.phase, rate });
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}

/** Progress for non-TTY runs: nothing on screen (the JSON-line logs say what happens). */
export const silentProgress: ProgressView = { update: () => undefined, stop: () => undefined };
