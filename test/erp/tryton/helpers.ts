/** Shared by the Tryton suites: skip (or fail under CI) when Tryton is not installed; the erp: config. */
import { trytonUnavailableReason, type RunningTryton } from '../../support/tryton/index.js';

const reason = trytonUnavailableReason();
export const skipTryton = reason !== null && process.env.CI !== 'true';
if (skipTryton) {
  console.warn(`[skip] Tryton suites skipped: ${reason}. Under CI=true this is a failure.`);
}

/** The `erp:` config that reaches a test Tryton as its admin; `extra` sets languages, paging, flags. */
export function trytonErpConfig<T extends object>(tryton: RunningTryton, extra: T) {
  return { type: 'tryton' as const, url: tryton.url, database: tryton.database, username: tryton.username, password: tryton.password, ...extra };
}
