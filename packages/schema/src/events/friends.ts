/** `fromUserID` asked `toUserID` to be friends (the application, not its acceptance). */
export interface FriendApplicationAdded {
  type: 'friend.application.added';
  fromUserID: string;
  toUserID: string;
  /** Sent by OpenIM as `reqMsg`. */
  reqMessage: string | null;
}

/** `toUserID` answered the application of `fromUserID`; they are friends now. */
export interface FriendApplicationAgreed {
  type: 'friend.application.agreed';
  fromUserID: string;
  /** The answering user; OpenIM sends it as `blackUserID`. */
  toUserID: string;
  /** Sent as `HandleResult`: 1 agreed. */
  handleResult: number | null;
  /** Sent as `HandleMsg`. */
  handleMessage: string | null;
}

export interface FriendDeleted {
  type: 'friend.deleted';
  ownerUserID: string;
  friendUserID: string;
}

/** An admin imported friends for `ownerUserID` (both directions are created). */
export interface FriendsImported {
  type: 'friends.imported';
  ownerUserID: string;
  friendUserIDs: string[];
}

export interface FriendRemarkSet {
  type: 'friend.remark.set';
  ownerUserID: string;
  friendUserID: string;
  remark: string | null;
}

export interface BlackRemoved {
  type: 'black.removed';
  ownerUserID: string;
  blackUserID: string;
}

/** A friend event: its ids are as OpenIM sent them (any string; no projection keys on them). */
export type FriendEvent =
  | FriendApplicationAdded
  | FriendApplicationAgreed
  | FriendDeleted
  | FriendsImported
  | FriendRemarkSet
  | BlackRemoved;
