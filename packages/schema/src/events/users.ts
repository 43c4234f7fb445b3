/** One user of a registration, as the register request gave it (`sdkws.UserInfo`); `""` reads as null. */
export interface RegisteredUser {
  userID: string;
  nickname: string | null;
  faceURL: string | null;
  ex: string | null;
  /**
   * Milliseconds since the epoch, as the register request said (OpenIM stores
   * its own clock instead). Null when it was 0 (usual), negative or past what
   * a Date holds.
   */
  createTime: number | null;
}

export interface UsersRegistered {
  type: 'user.registered';
  users: RegisteredUser[];
}

/** A profile change; each field is null when OpenIM left it unchanged. */
export interface UserInfoUpdated {
  type: 'user.info.updated';
  userID: string;
  /** Sent by OpenIM as `nickName`. */
  nickname: string | null;
  faceURL: string | null;
  ex: string | null;
}

/**
 * A connection of one user on one platform came up or went down. Online
 * reports repeat (about every ten minutes) for connections already up, so
 * this is a state report, not an edge: keep the latest per user and
 * platform, ordered by `seq`.
 */
export interface UserPresence {
  type: 'user.presence';
  userID: string;
  online: boolean;
  /** OpenIM's platform number (1 iOS, 2 Android, 3 Windows, 4 macOS, 5 Web, ...). */
  platformID: number | null;
  /** The platform's name, as OpenIM spells it. */
  platform: string | null;
  /**
   * OpenIM's millisecond clock when it made the report: orders reports of the
   * same connection. Null when missing or beyond what a double holds exactly.
   */
  seq: number | null;
  /** Only online reports carry it. */
  isAppBackground: boolean | null;
  /** OpenIM v3.8.2+ always send it empty (null here); v3.7 sent the connection's id. */
  connID: string | null;
}

/** OpenIM forced a user's connection off a platform (a login elsewhere, an admin kick). */
export interface UserKickedOff {
  type: 'user.kicked.off';
  userID: string;
  platformID: number | null;
  platform: string | null;
  /** OpenIM's millisecond clock when it made the report (null as for presence). */
  seq: number | null;
}

export type UserEvent = UsersRegistered | UserInfoUpdated | UserPresence | UserKickedOff;
