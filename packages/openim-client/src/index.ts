export { ADMIN_TOKEN_PATH, USER_TOKEN_PATH } from './admin-token.js';
export type { OpenImClient, OpenImClientOptions } from './client.js';
export { createOpenImClient } from './client.js';
export type { OpenImErrorContext } from './errors.js';
export { ErrCode, isTokenError, OpenImApiError, OpenImAuthError, OpenImUnreachableError } from './errors.js';
export { int64String, parseJsonLossless } from './json.js';
export { retryAfterMs } from './transport.js';
export type { GroupAbstractInfo, GroupInfo, GroupMember } from './types.js';
export { GroupStatus } from './types.js';
