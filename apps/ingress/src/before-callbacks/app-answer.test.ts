import { describe, expect, it } from 'vitest';
import { readAppAnswer } from './app-answer.js';

const answer = (status: number, body: string) => readAppAnswer(status, Buffer.from(body));

describe('readAppAnswer', () => {
  it('relays a 2xx JSON object byte for byte', () => {
    const body = Buffer.from('{"actionCode":0,"nextCode":0,"groupName":"Renamed","extra":{"a":[1]}}\n');
    const read = readAppAnswer(200, body);
    expect(read).toEqual({ ok: true, verdict: 'continue', body });
    expect(read.ok && read.body).toBe(body);
    expect(answer(204, '{}')).toMatchObject({ ok: true, verdict: 'continue' });
  });

  it.each([
    ['actionCode 0, nextCode 1', '{"actionCode":0,"nextCode":1,"errCode":5001,"errMsg":"no"}', 'reject'],
    ['nextCode 1 alone (actionCode defaults to 0)', '{"nextCode":1,"errCode":1}', 'reject'],
    ['keys in another letter case, as Go reads them', '{"ActionCode":0,"NEXTCODE":1,"ErrCode":7}', 'reject'],
    ['actionCode null (Go keeps 0)', '{"actionCode":null,"nextCode":1,"errCode":7}', 'reject'],
    ['nextCode other than 1', '{"actionCode":0,"nextCode":2,"errCode":5001}', 'continue'],
    ['actionCode other than 0', '{"actionCode":1,"nextCode":1,"errCode":5001}', 'continue'],
    ['an empty object', '{}', 'continue'],
  ])('reads the verdict OpenIM will: %s', (_what, body, verdict) => {
    expect(answer(200, body)).toMatchObject({ ok: true, verdict });
  });

  it.each([
    [500, '{"actionCode":0,"nextCode":0}', 'status'],
    [302, '', 'status'],
    [404, '<html>not found</html>', 'status'],
    [200, '', 'empty'],
    [200, ' \n', 'empty'],
    [200, '<!doctype html><p>hello</p>', 'not-json'],
    [200, '{"actionCode":0', 'not-json'],
    [200, '[{"actionCode":0}]', 'not-object'],
    [200, 'null', 'not-object'],
    [200, '42', 'not-object'],
    [200, '"continue"', 'not-object'],
    [200, '{"nextCode":"1"}', 'bad-verdict'],
    [200, '{"actionCode":0.5}', 'bad-verdict'],
    [200, '{"errCode":4294967296}', 'bad-verdict'],
    [200, '{"errMsg":42}', 'bad-verdict'],
    [200, '{"ErrDlt":{"a":1}}', 'bad-verdict'],
  ])('refuses HTTP %i with %j: %s', (status, body, reason) => {
    const read = answer(status, body);
    expect(read).toMatchObject({ ok: false, reason });
    expect(read.ok || read.message).toBeTruthy();
  });
});
