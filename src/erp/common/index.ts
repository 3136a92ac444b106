/** Helpers shared by every ERP adapter. Keep this API stable: other adapters import it. */
export { parseSince, deltaWindow, inWindow, laterOf, type DeltaWindow } from './delta.js';
export { RejectCollector, RecordProblem, rawText, truncateRaw, MAX_RAW_LENGTH, type RejectInput } from './rejects.js';
export { countedRead, type ReadCounts } from './counters.js';
export {
  isBlank,
  toExactDecimal,
  toInteger,
  toBoolean,
  toIsoTimestamp,
  toIsoDate,
  toText,
  localized,
  normalizeUnit,
  quantity,
  money,
  splitList,
  normalizeRecord,
} from './normalize.js';
