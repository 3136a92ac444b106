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
      // The last frame stays on screen: it shows the run ended at 100%.
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let running = false;
  return {
    update(p) {
      const rate = Math.round(p.settled / Math.max(0.001, (Date.now() - started) / 1000));
      const total = Math.max(p.read, 1);
      // "done" means every record read has its outcome, whatever the settled counter says
      // (records skipped or unchanged before the writes are not counted as settled): 100%.
      const value = p.phase === 'done' ? total : Math.min(p.settled, total);
      if (!running) {
        bar.start(total, value, { phase: p.phase, rate });
        running = true;
        return;
      }
      bar.setTotal(total);
      bar.update(value, { phase: p.phase, rate });
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}

/** Progress for non-TTY runs: nothing on screen (the JSON-line logs say what happens). */
export const silentProgress: ProgressView = { update: () => undefined, stop: () => undefined };
