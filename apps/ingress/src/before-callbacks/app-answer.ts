import { goField, parseObject } from './go-field.js';

/** Why the App's answer to a before-callback could not be relayed. */
export type AppFailureReason =
  | 'timeout'
  | 'connection'
  | 'too-large'
  | 'status'
  | 'empty'
  | 'not-json'
  | 'not-object'
  | 'bad-verdict';

/** What the App answered, as OpenIM will read it once relayed, or why it cannot be relayed. */
export type AppAnswer =
  | { ok: true; verdict: 'continue' | 'reject'; body: Buffer }
  | { ok: false; reason: AppFailureReason; message: string; cause?: unknown };

// The five common fields of every answer and the JSON they must hold for Go
// to decode them (int32 and string; null leaves them at 0 or "").
// [open-im-server pkg/callbackstruct/common.go CommonCallbackResp]
const INT_FIELDS = ['actionCode', 'errCode', 'nextCode'] as const;
const STRING_FIELDS = ['errMsg', 'errDlt'] as const;

/**
 * Decides whether an App's HTTP answer is relayed to OpenIM as it is. A 2xx
 * with a JSON object is; anything else is a failure of the App, answered per
 * BEFORE_CALLBACK_ON_ERROR. OpenIM itself ignores the status, but a 5xx or a
 * redirect from the App is almost never a verdict it meant to give. An object
 * whose verdict fields Go cannot decode (`"nextCode":"1"`) is a failure too:
 * relayed, it would fail the operation with OpenIM's DataError 90007.
 *
 * The verdict is OpenIM's (v3.7.0+): reject when `actionCode` is 0 and
 * `nextCode` is 1, continue otherwise. [pkg/callbackstruct/common.go Parse]
 */
export function readAppAnswer(status: number, body: Buffer): AppAnswer {
  const sample = () => body.toString('utf8', 0, 200);
  if (status < 200 || status > 299) {
    return fail('status', `the App answered HTTP ${status}${body.length > 0 ? `: ${sample()}` : ''}`);
  }
  if (body.toString('utf8').trim() === '') return fail('empty', 'the App answered with an empty body');
  const answer = parseObject(body);
  if (answer === undefined) {
    const isJson = parses(body);
    return isJson
      ? fail('not-object', `the App's answer is JSON but not an object: ${sample()}`)
      : fail('not-json', `the App's answer is not JSON: ${sample()}`);
  }
  for (const name of INT_FIELDS) {
    const value = goField(answer, name);
    if (value !== undefined && value !== null && !isInt32(value)) {
      return fail('bad-verdict', `the App's answer has a ${name} that is not an int32: ${JSON.stringify(value)}`);
    }
  }
  for (const name of STRING_FIELDS) {
    const value = goField(answer, name);
    if (value !== undefined && value !== null && typeof value !== 'string') {
      return fail('bad-verdict', `the App's answer has a ${name} that is not a string: ${JSON.stringify(value)}`);
    }
  }
  const rejects = (goField(answer, 'actionCode') ?? 0) === 0 && goField(answer, 'nextCode') === 1;
  return { ok: true, verdict: rejects ? 'reject' : 'continue', body };
}

function fail(reason: AppFailureReason, message: string): AppAnswer {
  return { ok: false, reason, message };
}

function parses(body: Buffer): boolean {
  try {
    JSON.parse(body.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

function isInt32(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= -(2 ** 31) && (value as number) <= 2 ** 31 - 1;
}
