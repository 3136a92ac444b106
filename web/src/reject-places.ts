import type { Reject } from '../../src/server/api/contract.js';

/** The attribute, locale and channel a reject is about, unless its message already names them. */
export function rejectPlaces(reject: Reject): string {
  const named = (word: string) => new RegExp(`\\b${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(reject.message);
  return [
    reject.attribute && !named(reject.attribute) && `attribute ${reject.attribute}`,
    reject.locale && !named(reject.locale) && `locale ${reject.locale}`,
    reject.scope && !named(reject.scope) && `channel ${reject.scope}`,
  ]
    .filter(Boolean)
    .join(', ');
}
