/** Ferry's Akeneo REST client: the one door through which everything talks to the PIM. */
export { authOf, createAkeneoClient, createAkeneoClientFromConfig } from './client.js';
export type { AkeneoClient, GovernorFactory, TokenCache } from './client.js';
export type { CallGovernor } from './governor.js';
export type { BatchResult } from './batch.js';
export { MAX_LINE_CHARS } from './batch.js';
export { AkeneoError, AkeneoAuthError, AkeneoNetworkError } from './errors.js';
export type { RequestEvent } from './events.js';
export type { PimInfo } from './detect.js';
export { search, MAX_IN_VALUES } from './search.js';
export { authorizeUrl, codeChallenge, exchangeAuthorizationCode, stateMatches } from './app-auth.js';
export type * from './model.js';
