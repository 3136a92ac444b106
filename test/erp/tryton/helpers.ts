/** Shared by the Tryton suites: skip (or fail under CI) when Tryton is not installed. */
import { trytonUnavailableReason } from '../../support/tryton/index.js';

const reason = trytonUnavailableReason();
export const skipTryton = reason !== null && process.env.CI !== 'true';
if (skipTryton) {
  console.warn(`[skip] Tryton suites skipped: ${reason}. Under CI=true this is a failure.`);
}
