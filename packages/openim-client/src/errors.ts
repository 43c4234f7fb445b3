/** OpenIM's error codes the client acts on (see OpenIM's `pkg/common/servererrs`). */
export const ErrCode = {
  internal: 500,
  badArguments: 1001,
  noPermission: 1002,
  recordNotFound: 1004,
  groupNotFound: 1201,
  groupDismissed: 1204,
  /** 1501–1507: the token is invalid, expired, kicked or gone; fetch a new one. */
  tokenFirst: 1501,
  tokenLast: 1507,
} as const;

/** True for OpenIM's token errors (1501–1507): a fresh token fixes them. */
export function isTokenError(code: number): boolean {
  return code >= ErrCode.tokenFirst && code <= ErrCode.tokenLast;
}

/** Where in OpenIM's API a failure happened, for messages. */
export interface OpenImErrorContext {
  /** The API path, e.g. `/group/get_group_member_list`. */
  path: string;
  /** The `operationID` header the call was sent with (OpenIM logs it). */
  operationID?: string;
}

/**
 * OpenIM answered with a business error (a non-zero `errCode`, which OpenIM
 * sends with HTTP 200) or an unexpected HTTP status. `code` is the errCode,
 * or the HTTP status when there was no envelope.
 */
export class OpenImApiError extends Error {
  override name = 'OpenImApiError';
  readonly code: number;
  readonly path: string;
  readonly errMsg: string;
  readonly errDlt: string;
  readonly httpStatus: number;
  constructor(
    details: OpenImErrorContext & { code: number; errMsg?: string; errDlt?: string; httpStatus?: number },
    options?: ErrorOptions,
  ) {
    const text = [details.errMsg, details.errDlt].filter(Boolean).join(': ');
    super(`OpenIM ${details.path} failed with errCode ${details.code}${text ? ` (${text})` : ''}`, options);
    this.code = details.code;
    this.path = details.path;
    this.errMsg = details.errMsg ?? '';
    this.errDlt = details.errDlt ?? '';
    this.httpStatus = details.httpStatus ?? 200;
  }
}

/**
 * OpenIM refused the admin credentials: a wrong `secret` (errCode 1002), a
 * user ID that is not one of OpenIM's admins, or a token OpenIM keeps
 * rejecting after a refresh. Retrying does not help; the configuration
 * must change.
 */
export class OpenImAuthError extends Error {
  override name = 'OpenImAuthError';
  readonly code: number;
  readonly path: string;
  constructor(message: string, details: OpenImErrorContext & { code: number }, options?: ErrorOptions) {
    super(message, options);
    this.code = details.code;
    this.path = details.path;
  }
}

/**
 * OpenIM could not be reached or did not answer in time (network error,
 * timeout, a gateway's 502–504), or answered with a redirect, which the
 * client never follows (`code` `HTTP 3xx`): the configured URL is not where
 * OpenIM's API answers.
 */
export class OpenImUnreachableError extends Error {
  override name = 'OpenImUnreachableError';
  /** A short cause: `ECONNREFUSED`, `timeout`, `HTTP 503`, `HTTP 307`. */
  readonly code: string;
  readonly path: string;
  constructor(message: string, details: OpenImErrorContext & { code: string }, options?: ErrorOptions) {
    super(message, options);
    this.code = details.code;
    this.path = details.path;
  }
}
