import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { completedRow, FAILED_HEADER, failedRow, formatTable, isoTime, shorten, toJobLine } from './format.js';
import { formatJobDetails, toJobDetails } from './job-details.js';

const failedJob = {
  id: 'h-abc',
  name: 'callbackAfterKickGroupCommand',
  data: {
    command: 'callbackAfterKickGroupCommand',
    operationID: 'op-1',
    receivedAt: Date.parse('2026-11-25T10:00:00.000Z') + 0.5,
    event: { type: 'group.members.kicked', groupID: 'g1', userIDs: ['u1', 'u2', 'u3'], reason: null },
    payload: { callbackCommand: 'callbackAfterKickGroupCommand', groupID: 'g1' },
  },
  attemptsMade: 8,
  opts: { attempts: 8 },
  failedReason: 'http sink: POST https://app/events answered 500\n  with a body',
  stacktrace: ['Error: first\n    at a (x.js:1)', 'Error: second\n    at b (y.js:2)'],
  timestamp: Date.parse('2026-11-25T10:00:00.001Z'),
  processedOn: Date.parse('2026-11-25T10:00:01.000Z'),
  finishedOn: Date.parse('2026-11-25T10:05:00.000Z'),
  returnvalue: null,
};

describe('shorten and isoTime', () => {
  it('keeps short text, cuts long text to one line with an ellipsis', () => {
    expect(shorten('a  b\nc', 10)).toBe('a b c');
    expect(shorten('abcdefghijkl', 6)).toBe('abcde…');
    expect(shorten('abcdefghijkl', 6)).toHaveLength(6);
  });

  it('cuts by display width, never inside a character', () => {
    expect(shorten('群成员同步失败了', 7)).toBe('群成员…');
    expect(stringWidth(shorten('群成员同步失败了', 7))).toBe(7);
    expect(shorten('👩‍👩‍👧 family', 4)).toBe('👩‍👩‍👧 …');
    expect(shorten('群成员', 6)).toBe('群成员');
  });

  it('formats epoch ms as ISO and refuses what is not a time', () => {
    expect(isoTime(0.5 + Date.parse('2026-11-25T10:00:00Z'))).toBe('2026-11-25T10:00:00.000Z');
    expect(isoTime(undefined)).toBeNull();
    expect(isoTime('2026')).toBeNull();
    expect(isoTime(Number.NaN)).toBeNull();
    expect(isoTime(1e20)).toBeNull();
  });
});

describe('toJobLine', () => {
  it('has what a script needs of a failed job', () => {
    expect(toJobLine(failedJob)).toEqual({
      id: 'h-abc',
      command: 'callbackAfterKickGroupCommand',
      operationID: 'op-1',
      group: 'g1',
      users: ['u1', 'u2', 'u3'],
      attemptsMade: 8,
      attemptsAllowed: 8,
      failedReason: failedJob.failedReason,
      failedAt: '2026-11-25T10:05:00.000Z',
      receivedAt: '2026-11-25T10:00:00.000Z',
    });
  });

  it('names the finish time of a completed job completedAt', () => {
    const line = toJobLine({ ...failedJob, failedReason: '' }, 'completed');
    expect(line.completedAt).toBe('2026-11-25T10:05:00.000Z');
    expect(line).not.toHaveProperty('failedAt');
    expect(line.failedReason).toBeNull();
  });
});

describe('tables', () => {
  it('shows one failed job per row, the reason on one short line', () => {
    expect(failedRow(failedJob)).toEqual([
      'h-abc',
      'callbackAfterKickGroupCommand',
      'g1',
      'u1,u2 +1',
      '8/8',
      'http sink: POST https://app/events answered 500 w…',
      '2026-11-25T10:05:00.000Z',
    ]);
    expect(completedRow({ ...failedJob, data: {} })).toEqual([
      'h-abc',
      'callbackAfterKickGroupCommand',
      '-',
      '-',
      '-',
      '2026-11-25T10:05:00.000Z',
    ]);
  });

  it('aligns columns and does not pad the last one', () => {
    expect(
      formatTable([
        ['ID', 'COMMAND', 'AT'],
        ['h-1', 'c', 'x'],
        ['h-1234', 'callback', 'y'],
      ]),
    ).toEqual(['ID      COMMAND   AT', 'h-1     c         x', 'h-1234  callback  y']);
    expect(formatTable([FAILED_HEADER])[0]).toBe(FAILED_HEADER.join('  '));
  });

  it('lines up CJK and emoji cells by display width', () => {
    const rows = [
      ['ID', 'NICKNAME', 'GROUP', 'AT'],
      ['用户-1', '张伟', '群-研发', 'x'],
      ['u-22', '😀 Ada', 'g2', 'y'],
      ['u-3', 'Zoë', '👩‍👩‍👧', 'z'],
    ];
    const lines = formatTable(rows);
    // Where each column starts, in terminal columns, on every line.
    const starts = lines.map((line, index) => {
      const cells = rows[index] as string[];
      let from = 0;
      return cells.map((cell) => {
        const at = line.indexOf(cell, from);
        from = at + cell.length;
        return stringWidth(line.slice(0, at));
      });
    });
    for (const row of starts) expect(row).toEqual([0, 8, 18, 27]);
    expect(lines[1]).toBe('用户-1  张伟      群-研发  x');
  });
});

describe('job details', () => {
  it('collects everything about a job', () => {
    const details = toJobDetails(failedJob, 'failed');
    expect(details).toMatchObject({
      id: 'h-abc',
      state: 'failed',
      operationID: 'op-1',
      receivedAt: '2026-11-25T10:00:00.000Z',
      event: failedJob.data.event,
      payload: failedJob.data.payload,
      attemptsMade: 8,
      attemptsAllowed: 8,
      errors: failedJob.stacktrace,
      createdAt: '2026-11-25T10:00:00.001Z',
      processedAt: '2026-11-25T10:00:01.000Z',
      finishedAt: '2026-11-25T10:05:00.000Z',
      returnvalue: null,
    });
  });

  it('prints fields, event, payload and every error with its stack', () => {
    const text = formatJobDetails(toJobDetails(failedJob, 'failed')).join('\n');
    expect(text).toMatch(/^id {13}h-abc$/m);
    expect(text).toMatch(/^attempts {7}8 of 8$/m);
    expect(text).toContain('"userIDs": [');
    expect(text).toContain('errors (2, oldest first)');
    expect(text).toMatch(/ {2}#2\n {4}Error: second\n {8}at b \(y\.js:2\)/);
    expect(text).not.toContain('return value');
  });

  it('copes with a job that has no data', () => {
    const bare = { name: 'x', data: undefined, attemptsMade: 0, opts: {}, timestamp: 1, stacktrace: null };
    const text = formatJobDetails(toJobDetails(bare, 'waiting')).join('\n');
    expect(text).toContain('errors: none');
    expect(text).toMatch(/^operationID {4}-$/m);
  });
});
