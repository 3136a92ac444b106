/**
 * Read counters: how many records a read yielded and how many it rejected, so a command
 * or a run report can always end with both numbers.
 */
import type { ErpRecord, ErpSource, ReadOptions, RejectedRecord, StreamName } from '../port.js';

export interface ReadCounts {
  read: number;
  rejected: number;
}

/**
 * Reads a stream while counting: `counts` is live during the iteration and final after it.
 * Rejects still reach the caller's own onReject.
 */
export function countedRead(
  source: Pick<ErpSource, 'read'>,
  stream: StreamName,
  options: ReadOptions = {},
): { records: AsyncIterable<ErpRecord>; counts: ReadCounts; rejects: RejectedRecord[] } {
  const counts: ReadCounts = { read: 0, rejected: 0 };
  const rejects: RejectedRecord[] = [];
  const onReject = (r: RejectedRecord): void => {
    counts.rejected++;
    if (rejects.length < 1000) rejects.push(r);
    options.onReject?.(r);
  };
  const records = (async function* () {
    for await (const record of source.read(stream, { ...options, onReject })) {
      counts.read++;
      yield record;
    }
  })();
  return { records, counts, rejects };
}
