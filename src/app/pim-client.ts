/**
 * The Akeneo client as Ferry's commands and the Console build it from the `pim:` section: with
 * `pim.limits.shared` set, its governor is the budget shared with every other Ferry process in
 * PostgreSQL (src/budget), which the client core may not import; otherwise the in-process one.
 */
import { createAkeneoClientFromConfig, type AkeneoClient, type CallGovernor, type GovernorFactory, type TokenCache } from '../akeneo/index.js';
import type { PimConfig } from '../akeneo/config.js';
import type { RequestEventListener } from '../akeneo/events.js';
import { instanceNameOf, PostgresBudget } from '../budget/postgres.js';
import type { Logger } from '../logging.js';

/**
 * The shared budgets this process has open, one per database + instance + connections + limits,
 * with how many clients use each. A `ferry worker` builds a client per shard slot; one budget for
 * all of them keeps its waiters in one FIFO (one database ask per release, not one per client) and
 * its database connections to one pool, however many slots the worker runs.
 */
const openBudgets = new Map<string, { budget: PostgresBudget; users: number }>();

/** One client's hold on a process-wide budget: closing it closes the budget once no client uses it. */
function sharedBudget(key: string, open: () => PostgresBudget): CallGovernor {
  let entry = openBudgets.get(key);
  if (!entry) openBudgets.set(key, (entry = { budget: open(), users: 0 }));
  entry.users++;
  const { budget } = entry;
  let closed = false;
  return {
    acquire: (call) => budget.acquire(call),
    // The shared budget shrinks and grows as one, whichever connection saw the 429.
    onThrottled: () => budget.onThrottled(),
    onSuccess: () => budget.onSuccess(),
    get limit() {
      return budget.limit;
    },
    get peak() {
      return budget.peak;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (--entry.users > 0) return;
      openBudgets.delete(key);
      await budget.close();
    },
  };
}

/** The governor factory for `pim.limits.shared`, or undefined when the budget is per process. */
export function sharedGovernorFor(pim: PimConfig): GovernorFactory | undefined {
  const shared = pim.limits.shared;
  if (!shared) return undefined;
  return ({ url, connectionIds, limits }) => {
    const instance = shared.instance ?? instanceNameOf(url);
    const key = JSON.stringify([shared.url, instance, connectionIds, limits, shared.leaseMs]);
    return sharedBudget(key, () => new PostgresBudget({ url: shared.url, instance, connectionIds, limits, leaseMs: shared.leaseMs }));
  };
}

export function createPimClient(pim: PimConfig, extra: { onEvent?: RequestEventListener; logger?: Logger; tokens?: TokenCache } = {}): AkeneoClient {
  const governor = sharedGovernorFor(pim);
  return createAkeneoClientFromConfig(pim, { ...extra, ...(governor ? { governor } : {}) });
}
