import { describe, expect, it } from 'vitest';
import { stripSecret } from './strip-secret.js';

// v3.8.0's register callbacks: callbackCommand, secret, users (open-im-server v3.8.0 pkg/callbackstruct/user.go).
const withSecret = Buffer.from(
  '{"callbackCommand":"callbackAfterUserRegisterCommand","secret":"openIM123","users":[{"userID":"u1","nickname":"\\u003cb\\u003e \\u0026 \\u0000","createTime":1713351839000}]}\n',
);

describe('stripSecret', () => {
  it.each(['callbackAfterUserRegisterCommand', 'CallbackBeforeUserRegisterCommand'])(
    'removes the top-level secret of %s and re-encodes as Go does',
    (command) => {
      expect(stripSecret(command, withSecret).toString()).toBe(
        '{"callbackCommand":"callbackAfterUserRegisterCommand","users":[{"userID":"u1","nickname":"\\u003cb\\u003e \\u0026 \\u0000","createTime":1713351839000}]}\n',
      );
    },
  );

  it('removes it in any letter case (Go decodes keys case-insensitively)', () => {
    const body = Buffer.from('{"callbackCommand":"callbackAfterUserRegisterCommand","Secret":"x","users":[]}');
    expect(JSON.parse(stripSecret('callbackAfterUserRegisterCommand', body).toString())).toEqual({
      callbackCommand: 'callbackAfterUserRegisterCommand',
      users: [],
    });
  });

  it('returns the same bytes when there is nothing to strip, or another command, or no JSON object', () => {
    const v381 = Buffer.from('{"callbackCommand":"callbackAfterUserRegisterCommand","users":[{"secret":"kept"}]}\n');
    expect(stripSecret('callbackAfterUserRegisterCommand', v381)).toBe(v381);
    expect(stripSecret('callbackAfterUpdateUserInfoCommand', withSecret)).toBe(withSecret);
    for (const text of ['{"secret":', '["secret": 1]']) {
      const body = Buffer.from(text);
      expect(stripSecret('callbackAfterUserRegisterCommand', body)).toBe(body);
    }
  });
});
