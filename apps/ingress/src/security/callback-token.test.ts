import { describe, expect, it } from 'vitest';
import { createCallbackToken } from './callback-token.js';

const TOKEN = 'Zx9-k2_Lq.8~wR4tYh7Pm3';

describe('createCallbackToken', () => {
  it('without a token, passes every path through unchanged', () => {
    const token = createCallbackToken('/callback', undefined);
    expect(token.take(['a', 'b'])).toEqual({ ok: true, value: ['a', 'b'] });
    expect(token.take([])).toEqual({ ok: true, value: [] });
    expect(token.redact('/callback/a/b')).toBe('/callback/a/b');
    expect(token.shownBase).toBe('/callback');
  });

  it('takes the right token off the front', () => {
    const token = createCallbackToken('/callback', TOKEN);
    expect(token.take([TOKEN, 'callbackAfterQuitGroupCommand'])).toEqual({
      ok: true,
      value: ['callbackAfterQuitGroupCommand'],
    });
    expect(token.take([TOKEN])).toEqual({ ok: true, value: [] });
    expect(token.take([TOKEN, 'a', 'b'])).toEqual({ ok: true, value: ['a', 'b'] });
  });

  it.each([
    ['missing', []],
    ['a command instead', ['callbackAfterQuitGroupCommand']],
    ['one character short', [TOKEN.slice(0, -1), 'callbackAfterQuitGroupCommand']],
    ['one character more', [`${TOKEN}x`, 'callbackAfterQuitGroupCommand']],
    ['another case', [TOKEN.toUpperCase(), 'callbackAfterQuitGroupCommand']],
    ['second, not first', ['x', TOKEN, 'callbackAfterQuitGroupCommand']],
  ])('refuses a token that is %s, with a message that does not echo it', (_label, segments) => {
    const result = createCallbackToken('/callback', TOKEN).take(segments);
    expect(result).toMatchObject({ ok: false, reason: { status: 401, reason: 'token' } });
    const message = result.ok ? '' : result.reason.message;
    expect(message).not.toContain(TOKEN);
    for (const segment of segments) expect(message).not.toContain(segment);
    expect(message).toContain('/callback/<CALLBACK_TOKEN>');
  });

  it('redacts the token, and everything after the base when the token is wrong', () => {
    const token = createCallbackToken('/callback', TOKEN);
    expect(token.redact(`/callback/${TOKEN}/callbackAfterQuitGroupCommand`)).toBe(
      '/callback/<token>/callbackAfterQuitGroupCommand',
    );
    expect(token.redact(`/callback//${TOKEN}//cmd/${TOKEN}`)).toBe('/callback//<token>//cmd/<token>');
    expect(token.redact(`/callback/${TOKEN}x/cmd`)).toBe('/callback/<unauthorized>');
    expect(token.redact(`/callback/cmd/${TOKEN}`)).toBe('/callback/<unauthorized>');
    expect(token.redact('/callback')).toBe('/callback');
    expect(token.redact('/callback/')).toBe('/callback/');
    expect(token.redact('/healthz')).toBe('/healthz');
    expect(token.redact(`/callbacks/${TOKEN}`)).toBe('<not a callback path>');
    expect(token.redact('/readyz')).toBe('/readyz');
    expect(token.shownBase).toBe('/callback/<token>');
  });

  it('works at the root base path', () => {
    const token = createCallbackToken('/', TOKEN);
    expect(token.redact(`/${TOKEN}/cmd`)).toBe('/<token>/cmd');
    expect(token.shownBase).toBe('/<token>');
    expect(token.take([TOKEN, 'cmd'])).toEqual({ ok: true, value: ['cmd'] });
  });
});
