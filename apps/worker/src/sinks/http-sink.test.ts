import { describe, expect, it } from 'vitest';
import { forwardedJson, retryAfterMs } from './http-sink.js';

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Wed, 25 Nov 2026 12:00:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs('Wed, 25 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('forwardedJson', () => {
  const item = {
    id: 'u-1',
    command: 'callbackAfterSendSingleMsgCommand',
    operationID: '',
    receivedAt: Date.parse('2026-12-05T09:00:00Z'),
    event: { type: 'message.sent' } as never,
    payload: { createTime: Number('9223372036854775807'), content: 'a\u0000b' },
  };

  it('forwards the parsed payload when it is exact', () => {
    expect(JSON.parse(forwardedJson(item))).toEqual({
      id: 'u-1',
      command: 'callbackAfterSendSingleMsgCommand',
      operationID: '',
      receivedAt: '2026-12-05T09:00:00.000Z',
      event: { type: 'message.sent' },
      payload: { createTime: Number('9223372036854775807'), content: 'a\u0000b' },
    });
  });

  it('splices in OpenIM’s own text when an int64 would be rounded, keys in the same order', () => {
    const payloadText = '{"createTime":9223372036854775807,"content":"a\\u0000b"}';
    const text = forwardedJson({ ...item, payloadText });
    expect(text).toContain('"payload":{"createTime":9223372036854775807,');
    expect(Object.keys(JSON.parse(text))).toEqual(['id', 'command', 'operationID', 'receivedAt', 'event', 'payload']);
    expect(JSON.parse(text).payload.content).toBe('a\u0000b');
  });
});
