/** Helpers shared by every ERP adapter. Keep this API stable: other adapters import it. */
export { parseSince, deltaWindow, inWindow, type DeltaWindow } from './delta.js';
export { laterOf } from '../../util/timestamps.js';
export { RejectCollector, RecordProblem, truncateRaw } from './rejects.js';
export { countedRead } from './counters.js';
export {
  isBlank,
  toExactDecimal,
  toInteger,
  toBoolean,
  toIsoTimestamp,
  toIsoDate,
  toText,
  localized,
  quantity,
  money,
  splitList,
  normalizeRecord,
} from './normalize.js';
