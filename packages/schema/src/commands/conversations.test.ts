import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { edgeBody, INT32_MAX, INT32_MIN, longId, TEXT, WIDE_ID } from '../edge-corpus.test-helper.js';
import { createCatalog } from '../index.js';

const catalog = createCatalog();
const single = 'callbackAfterCreateSingleChatConversationsCommand';
const group = 'callbackAfterCreateGroupChatConversationsCommand';
const fixture = (command: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${command}.json`, import.meta.url), 'utf8'));
function check(command: string, body: unknown = fixture(command)) {
  const result = catalog.check(command, body);
  if (!result.ok) throw new Error(result.reason.message);
  return result.value.event;
}

const createdSingle = {
  type: 'conversation.created',
  conversationID: 'si_5412398475_6960562805',
  conversationType: 1,
  ownerUserID: '6960562805',
  userID: '5412398475',
  groupID: null,
  recvMsgOpt: 0,
  isPinned: false,
  isPrivateChat: false,
  burnDuration: 0,
  groupAtType: 0,
  attachedInfo: null,
  ex: null,
};

describe('conversation commands', () => {
  it('reads ownerUserId, conversationId and userId of a single chat', () => {
    expect(check(single)).toEqual(createdSingle);
  });

  it("reads a group chat's conversation; its empty owner is null", () => {
    expect(check(group)).toEqual({
      type: 'conversation.created',
      conversationID: 'sg_3027412834',
      conversationType: 3,
      ownerUserID: null,
      userID: null,
      groupID: '3027412834',
      recvMsgOpt: 0,
      isPinned: false,
      isPrivateChat: false,
      burnDuration: 0,
      groupAtType: 0,
      attachedInfo: null,
      ex: '{"topic":"rides & routes"}',
    });
  });

  it('reads the snake_case spelling of later v3.8 servers', () => {
    const body = {
      callbackCommand: single,
      owner_user_id: '6960562805',
      conversation_id: 'si_5412398475_6960562805',
      conversation_type: 1,
      user_id: '5412398475',
      group_id: '',
      recv_msg_opt: 0,
      is_pinned: false,
      is_private_chat: false,
      burn_duration: 0,
      group_at_type: 0,
      attached_info: '',
      ex: '',
      max_seq: 0,
      min_seq: 0,
      create_time: '2024-04-17T19:03:59.432+08:00',
    };
    expect(check(single, body)).toEqual(createdSingle);
  });

  it('reads the early form: sendID owns it, recvID is the peer, a bare groupID names the group conversation', () => {
    const body = {
      callbackCommand: single,
      recvID: '5412398475',
      sendID: '6960562805',
      conversationID: 'si_5412398475_6960562805',
      conversationType: 1,
    };
    expect(check(single, body)).toMatchObject({
      conversationID: 'si_5412398475_6960562805',
      ownerUserID: '6960562805',
      userID: '5412398475',
    });
    const early = { callbackCommand: group, userIDs: ['5412398475'], groupID: '3027412834' };
    expect(check(group, early)).toMatchObject({ conversationID: 'sg_3027412834', groupID: '3027412834' });
  });

  it('rejects a body that names no conversation', () => {
    const result = catalog.check(single, { callbackCommand: single, ownerUserId: 'u' });
    expect(result).toMatchObject({ ok: false, reason: { code: 'invalid-body' } });
    expect(!result.ok && result.reason.message).toMatch(/conversationId/);
    expect(catalog.check(single, { ...fixture(single), isPinned: 'yes' }).ok).toBe(false);
  });
});

describe('conversation commands at the edges', () => {
  it('carry long and non-ASCII ids, NUL in texts and int32 extremes as sent', () => {
    const body = edgeBody(single, 'client text, int32 extremes');
    expect(check(single, body)).toEqual({
      type: 'conversation.created',
      conversationID: `si_${WIDE_ID}_${longId('u')}`,
      conversationType: 1,
      ownerUserID: longId('u'),
      userID: WIDE_ID,
      groupID: null,
      recvMsgOpt: INT32_MIN,
      isPinned: true,
      isPrivateChat: true,
      burnDuration: INT32_MAX,
      groupAtType: 0,
      attachedInfo: TEXT,
      ex: TEXT,
    });
    const groupBody = edgeBody(group, 'client text, a long group id');
    expect(check(group, groupBody)).toMatchObject({
      conversationID: `sg_${longId('g')}`,
      ownerUserID: null,
      groupID: longId('g'),
      attachedInfo: TEXT,
      ex: null,
    });
  });
});
