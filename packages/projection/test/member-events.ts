import type { CallbackEvent } from '@openim-sync/schema';

/** Member callbacks as the catalog normalises them, for the projection's tests. */
export const memberEvents = {
  joined: (groupID: string, userID: string, reqMessage: string | null = null): CallbackEvent => ({
    type: 'group.member.joined',
    groupID,
    userID,
    joinSource: 3,
    reqMessage,
    ex: null,
    groupEx: null,
  }),
  quit: (groupID: string, userID: string): CallbackEvent => ({ type: 'group.member.quit', groupID, userID }),
  role: (groupID: string, userID: string, roleLevel: number): CallbackEvent => ({
    type: 'group.member.info.set',
    groupID,
    userID,
    nickname: null,
    faceURL: null,
    roleLevel,
    ex: null,
  }),
};
