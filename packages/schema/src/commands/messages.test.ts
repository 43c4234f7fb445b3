import { describe, expect, it } from 'vitest';
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

  it('needs the receiver of a single-chat message and the group of a group message', () => {
    const single = fixture('callbackAfterSendSingleMsgCommand');
    expect(catalog.check('callbackAfterSendSingleMsgCommand', { ...single, recvID: '' }).ok).toBe(false);
    const { groupID: _, ...group } = fixture('callbackAfterSendGroupMsgCommand');
    expect(catalog.check('callbackAfterSendGroupMsgCommand', group).ok).toBe(false);
    expect(catalog.check('callbackAfterSendSingleMsgCommand', { ...single, serverMsgID: null }).ok).toBe(false);
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
