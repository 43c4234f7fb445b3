/**
 * OpenIM reads only the JSON body of a callback response (never the HTTP
 * status), and always these five fields.
 */
export interface CallbackResponse {
  actionCode: number;
  errCode: number;
  errMsg: string;
  errDlt: string;
  nextCode: number;
}

/** The acknowledgement, serialised once: the hot path sends the same bytes every time. */
export const ACK_BODY = JSON.stringify({ actionCode: 0, errCode: 0, errMsg: '', errDlt: '', nextCode: 0 });

export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 413 | 415 | 500 | 503;

/**
 * Error codes mirror the HTTP status, so a line in OpenIM's log ("errCode
 * 415") says what went wrong without a lookup table.
 */
export function errorBody(status: ErrorStatus, errMsg: string, errDlt = ''): CallbackResponse {
  return { actionCode: 0, errCode: status, errMsg, errDlt, nextCode: 0 };
}
