/** Ferry's Akeneo REST client: the one door through which everything talks to the PIM. */
export { createAkeneoClient, createAkeneoClientFromConfig } from './client.js';
export type { AkeneoClient, AkeneoClientOptions, AkeneoAuthOptions, ProductsClient, EeRecord } from './client.js';
export type { ResourceClient, DeletableResourceClient, ReadOnlyResourceClient, ListQuery, WriteResult } from './resources.js';
export type { BatchResult } from './batch.js';
export { MAX_LINE_CHARS, MAX_LINES_PER_CALL } from './batch.js';
export { AkeneoError, AkeneoAuthError, AkeneoNetworkError, describeValidationItem } from './errors.js';
export type { AuthProblem } from './errors.js';
export type { RequestEvent, RequestEventListener, ClientStats } from './events.js';
export { search, SearchBuilder, MAX_IN_VALUES } from './search.js';
export type { DateStyle } from './search.js';
export type { PimInfo, EndpointMode } from './detect.js';
export type { MediaUpload, MediaFilesClient } from './media.js';
export { authorizeUrl, codeChallenge, exchangeAuthorizationCode, newCodeIdentifier, stateMatches } from './app-auth.js';
export type { AppToken } from './app-auth.js';
export type { PimConfig, RateLimitsConfig } from './config.js';
export type * from './model.js';
