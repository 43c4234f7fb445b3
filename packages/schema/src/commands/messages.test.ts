import { describe, expect, it } from 'vitest';
import { edgeBody, INT32_MAX, longId, TEXT, UINT32_MAX, WIDE_ID } from '../edge-corpus.test-helper.js';
import { catalog, check, fixture } from './fixture-check.test-helper.js';

describe('message commands', () => {
  it('reads a single-chat message, its content unescaped and seq still 0', () => {
    expect(check('callbackAfterSendSingleMsgCommand')).toEqual({
      type: 'message.sent',
      sendID: '5412398475',
      recvID: '6960562805',
      groupID: null,
      serverMsgID: '4f2a9c0e8b1d7f35a6c2e9b0d4f81a27',
      clientMsgID: 'c6d0b3a2e1f94b58a7d6c5b4a3f2e1d0',
      senderPlatformID: 2,
      senderNickname: 'Ann & Co',
      senderFaceURL: 'https://cdn.example.com/face/5412398475.png',
      sessionType: 1,
      msgFrom: 100,
      contentType: 101,
      status: 1,
      sendTime: 1713351901337,
      createTime: 1713351901298,
      seq: 0,
      content: '{"content":"see you at <noon> & bring snacks"}',
      atUserIDs: [],
      ex: '',
    });
  });

  it('reads a group message with its @-mentions', () => {
    expect(check('callbackAfterSendGroupMsgCommand')).toMatchObject({
      type: 'message.sent',
      sendID: '6960562805',
      recvID: null,
      groupID: '3027412834',
      sessionType: 3,
      contentType: 106,
      atUserIDs: ['5412398475'],
    });
  });

  it('reads a stored message with its sequence and an empty recvID as null', () => {
    expect(check('callbackAfterMsgSaveDBCommand')).toMatchObject({
      type: 'message.saved',
      serverMsgID: '8e1b4d7a2c5f9e3b6a0d8c1f4e7b2a95',
      recvID: null,
      groupID: '3027412834',
      seq: 1842,
      status: 2,
    });
  });

  it('keys no projection: an empty receiver or group reads as null; a Go string is never null', () => {
    const single = fixture('callbackAfterSendSingleMsgCommand');
    expect(check('callbackAfterSendSingleMsgCommand', { ...single, recvID: '' })).toMatchObject({ recvID: null });
    const { groupID: _, ...group } = fixture('callbackAfterSendGroupMsgCommand');
    expect(check('callbackAfterSendGroupMsgCommand', group)).toMatchObject({ groupID: null });
    const result = catalog.check('callbackAfterSendSingleMsgCommand', { ...single, serverMsgID: null });
    expect(!result.ok && result.reason.message).toMatch(/serverMsgID/);
  });

  it('reads a single-chat read receipt: Seqs, and contentType as the conversation type', () => {
    expect(check('callbackAfterSingleMsgReadCommand')).toEqual({
      type: 'message.read.single',
      conversationID: 'si_5412398475_6960562805',
      userID: '6960562805',
      seqs: [41, 42, 43],
      conversationType: 1,
    });
    const command = 'callbackAfterSingleMsgReadCommand';
    const body = { ...fixture(command), Seqs: null };
    expect(check(command, body)).toMatchObject({ seqs: [] });
    // The field is `Seqs`; a lower-case `seqs` is an unknown field, kept but not read.
    expect(check(command, { ...body, seqs: [1] })).toMatchObject({ seqs: [] });
  });

  it('reads a group read receipt by what OpenIM puts in its fields', () => {
    expect(check('callbackAfterGroupMsgReadCommand')).toEqual({
      type: 'message.read.group',
      userID: '5412398475',
      receiveID: '5412398475',
      hasReadSeq: 1842,
      conversationType: 3,
    });
  });

  it('accepts the v3.6 read commands', () => {
    const group = { ...fixture('callbackAfterGroupMsgReadCommand'), callbackCommand: 'callbackGroupMsgReadCommand' };
    expect(check('callbackGroupMsgReadCommand', group)).toMatchObject({ type: 'message.read.group' });
    const single = { ...fixture('callbackAfterSingleMsgReadCommand'), callbackCommand: 'callbackSingleMsgRead' };
    expect(check('callbackSingleMsgRead', single)).toMatchObject({ type: 'message.read.single' });
  });

  it('reads a revoke sent as callbackBeforeAfterMsgCommand', () => {
    expect(check('callbackBeforeAfterMsgCommand')).toEqual({
      type: 'message.revoked',
      conversationID: 'sg_3027412834',
      seq: 1842,
      userID: '6960562805',
    });
    const body = fixture('callbackBeforeAfterMsgCommand');
    expect(
      catalog.check('CallbackBeforeAfterMsgCommand', { ...body, callbackCommand: 'CallbackBeforeAfterMsgCommand' }).ok,
    ).toBe(true);
    expect(catalog.check('callbackBeforeAfterMsgCommand', { ...body, seq: null }).ok).toBe(false);
  });
});

describe('message commands at the edges', () => {
  it('carries client values as sent: NUL, empty and 600-character @-entries, int64 extremes (rounded by JSON.parse)', () => {
    const body = edgeBody('callbackAfterSendSingleMsgCommand', 'client values, int64 extremes, empty @-entry');
    expect(check('callbackAfterSendSingleMsgCommand', body)).toMatchObject({
      sendID: longId('s'),
      recvID: longId('r'),
      senderPlatformID: INT32_MAX,
      senderNickname: TEXT,
      content: TEXT,
      ex: TEXT,
      atUserIDs: ['', longId('a'), WIDE_ID],
      sendTime: -(2 ** 63),
      createTime: 2 ** 63,
    });
    const group = edgeBody('callbackAfterSendGroupMsgCommand', 'client values, int64 extremes, empty @-entry');
    expect(check('callbackAfterSendGroupMsgCommand', group)).toMatchObject({ groupID: longId('g'), content: TEXT });
  });

  it('reads zero values as themselves and a nil @-list as empty', () => {
    const body = edgeBody('callbackAfterSendGroupMsgCommand', 'zero values, nil @-list');
    expect(check('callbackAfterSendGroupMsgCommand', body)).toMatchObject({
      senderNickname: '',
      content: '',
      contentType: 0,
      createTime: 0,
      atUserIDs: [],
      ex: '',
    });
  });

  it('stores a message with a uint32 sequence at its maximum, in a single chat or a group', () => {
    const group = edgeBody('callbackAfterMsgSaveDBCommand', 'group, uint32 max seq');
    expect(check('callbackAfterMsgSaveDBCommand', group)).toMatchObject({
      seq: UINT32_MAX,
      recvID: null,
      groupID: longId('g'),
    });
    const single = edgeBody('callbackAfterMsgSaveDBCommand', 'single chat');
    expect(check('callbackAfterMsgSaveDBCommand', single)).toMatchObject({ recvID: longId('r'), groupID: null });
  });

  it('reads receipts and revokes with any int64 and long ids', () => {
    const read = edgeBody('callbackAfterSingleMsgReadCommand', 'long ids, int64 seqs');
    expect(check('callbackAfterSingleMsgReadCommand', read)).toMatchObject({
      userID: longId('u'),
      seqs: [0, 1, 2 ** 63],
    });
    const group = edgeBody('callbackAfterGroupMsgReadCommand', 'long ids, int64 max');
    expect(check('callbackAfterGroupMsgReadCommand', group)).toMatchObject({
      userID: longId('u'),
      hasReadSeq: 2 ** 63,
    });
    const revoke = edgeBody('callbackBeforeAfterMsgCommand', 'int64 max, long ids');
    expect(check('callbackBeforeAfterMsgCommand', revoke)).toEqual({
      type: 'message.revoked',
      conversationID: `sg_${longId('g')}`,
      seq: 2 ** 63,
      userID: WIDE_ID,
    });
  });
});
