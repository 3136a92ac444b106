/** The TTY progress bar: records settled / read, rate and ETA, drawn on the given stream. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressBar } from '../../src/sync/progress.js';

/** A writable that says it is a terminal and keeps what was drawn. */
function fakeTty(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream & Record<string, unknown>;
  Object.assign(w, { isTTY: true, columns: 160, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream: w, text: () => chunks.join('') };
}

describe('progress bar', () => {
  it('draws records settled of read, the rate and the ETA, and follows a growing total', async () => {
    const { stream, text } = fakeTty();
    const bar = createProgressBar(stream);
    bar.update({ phase: 'items', read: 200, settled: 0 });
    await new Promise((r) => setTimeout(r, 50));
    bar.update({ phase: 'items', read: 400, settled: 100 });
    await new Promise((r) => setTimeout(r, 250));
    bar.stop();
    const drawn = text();
    expect(drawn).toMatch(/sync items \[.*\] \d+% \| 100\/400 records \| \d+\/s \| ETA /);
  });
});

describe('progress bar at the end', () => {
  it('shows 100% on done even when fewer records were counted as settled than read', async () => {
    const { stream, text } = fakeTty();
    const bar = createProgressBar(stream);
    bar.update({ phase: 'items', read: 300, settled: 100 });
    await new Promise((r) => setTimeout(r, 250));
    bar.update({ phase: 'done', read: 300, settled: 200 });
    await new Promise((r) => setTimeout(r, 250));
    bar.stop();
    const frames = text().split(/\r|\n/).filter((l) => l.includes('sync '));
    expect(frames.at(-1)).toMatch(/sync done \[.*\] 100% \| 300\/300 records/);
  });
});
