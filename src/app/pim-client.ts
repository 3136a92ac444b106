/**
 * The Akeneo client as Ferry's commands and the Console build it from the `pim:` section: with
 * `pim.limits.shared` set, its governor is the budget shared with every other Ferry process in
 * PostgreSQL (src/budget), which the client core may not import; otherwise the in-process one.
 */
import { createAkeneoClientFromConfig, type AkeneoClient, type GovernorFactory } from '../akeneo/index.js';
import type { PimConfig } from '../akeneo/config.js';
import type { RequestEventListener } from '../akeneo/events.js';
import { instanceNameOf, PostgresBudget } from '../budget/postgres.js';
import type { Logger } from '../logging.js';

/** The governor factory for `pim.limits.shared`, or undefined when the budget is per process. */
export function sharedGovernorFor(pim: PimConfig): GovernorFactory | undefined {
  const shared = pim.limits.shared;
  if (!shared) return undefined;
  return ({ url, connectionIds, limits }) =>
    new PostgresBudget({ url: shared.url, instance: shared.instance ?? instanceNameOf(url), connectionIds, limits, leaseMs: shared.leaseMs });
}

export function createPimClient(pim: PimConfig, extra: { onEvent?: RequestEventListener; logger?: Logger } = {}): AkeneoClient {
  const governor = sharedGovernorFor(pim);
  return createAkeneoClientFromConfig(pim, { ...extra, ...(governor ? { governor } : {}) });
}
