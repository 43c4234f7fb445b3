import { ACK_BODY } from '../responses.js';
import type { BeforeCallback, EchoField } from './catalog.js';
import { goField, parseObject } from './go-field.js';

/**
 * The "continue" that leaves OpenIM's request as it is: the five common
 * fields (`actionCode` 0 and `nextCode` 0 make OpenIM go on, see
 * pkg/callbackstruct/common.go `Parse`), plus, for the few callbacks whose
 * answer always overwrites some request fields, those fields as received.
 *
 * The request is read the way Go reads the answer (keys in any letter case).
 * A field that is missing, or of a JSON type its answer field cannot hold, is
 * left out rather than sent in a form OpenIM would refuse to decode (which
 * fails the whole operation with DataError 90007); a body that is not a JSON
 * object gets the five common fields alone. Never throws.
 */
export function continueAnswer(callback: BeforeCallback, body: Buffer): string {
  if (callback.echo.length === 0) return ACK_BODY;
  const request = parseObject(body);
  const answer: Record<string, unknown> = { actionCode: 0, errCode: 0, errMsg: '', errDlt: '', nextCode: 0 };
  if (request === undefined) return JSON.stringify(answer);
  for (const field of callback.echo) {
    const value = goField(request, field.name);
    if (fits(field, value)) answer[field.name] = value;
  }
  return JSON.stringify(answer);
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Whether Go can decode `value` into the answer's field (wrapperspb.Int32Value parses with strconv.ParseInt(_, 10, 32)). */
function fits(field: EchoField, value: unknown): boolean {
  if (typeof value === 'string') return field.type !== 'int32-or-null';
  if (value === null) return field.type !== 'string';
  if (typeof value === 'number') {
    return field.type === 'int32-or-null' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX;
  }
  return false;
}

/**
 * OpenIM's own error codes for a before-callback that failed
 * (pkg/common/servererrs/code.go): 90004 NetworkError when the hook could not
 * be reached in time, 90007 DataError when its answer could not be used. A
 * rejection on the App's behalf carries the one OpenIM itself would have
 * returned had it called the App directly, so clients see familiar codes.
 */
export const REJECT_CODES = { unreachable: 90_004, unusable: 90_007 } as const;

/**
 * A rejection OpenIM honours: `actionCode` 0 with `nextCode` 1 stops the
 * operation with `errCode` and `errMsg`. The code must be above 0: v3.7 to
 * v3.8 turn 0 or less into 500, and main delivers no error at all.
 */
export function rejectAnswer(errCode: number, errMsg: string): string {
  return JSON.stringify({ actionCode: 0, nextCode: 1, errCode, errMsg, errDlt: '' });
}
