import { type CallbackEvent, RoleLevel } from '@openim-sync/schema';
import { groupLockKey, type LockSet } from './projection-locks.js';

/** What one event says about one member; `null` means "the event did not say". */
export interface MemberFacts {
  userID: string;
  roleLevel: number | null;
  /** Set by events that start a membership (join, create): their join time in µs. */
  joinedAt: number | null;
  joinSource?: number | null;
  reqMessage?: string | null;
  nickname?: string | null;
  faceURL?: string | null;
  ex?: string | null;
  groupEx?: string | null;
}

/**
 * Adds the locks applying `event` needs: a member writer takes the group's
 * lock shared and its members' locks, so writers of different members of a
 * group run side by side; a dismissal takes the group's lock exclusively.
 */
export function lockMembership(event: CallbackEvent, locks: LockSet) {
  for (const write of membershipWrites(event, 0)) {
    locks.key(groupLockKey(write.groupID), write.kind === 'dismiss');
    if (write.kind === 'upsert')
      locks.members(
        write.groupID,
        write.members.map((m) => m.userID),
      );
    if (write.kind === 'remove') locks.members(write.groupID, write.userIDs);
  }
}

/** An event and its version: the receive time in µs since the epoch. */
export interface VersionedEvent {
  event: CallbackEvent;
  version: number;
}

export type GroupWrite =
  | { kind: 'upsert'; groupID: string; members: MemberFacts[] }
  | { kind: 'remove'; groupID: string; userIDs: string[]; reason: string }
  | { kind: 'dismiss'; groupID: string };

/** What an event writes to the membership projection; nothing for events that are not membership. */
export function membershipWrites(event: CallbackEvent, version: number): GroupWrite[] {
  switch (event.type) {
    case 'group.member.joined':
      return [
        {
          kind: 'upsert',
          groupID: event.groupID,
          members: [{ ...event, roleLevel: RoleLevel.member, joinedAt: version }],
        },
      ];
    case 'group.member.quit':
      return [{ kind: 'remove', groupID: event.groupID, userIDs: [event.userID], reason: 'quit' }];
    case 'group.members.kicked':
      // A user listed twice would make the removal's upsert touch one row twice, which Postgres refuses.
      return [{ kind: 'remove', groupID: event.groupID, userIDs: [...new Set(event.userIDs)], reason: 'kicked' }];
    case 'group.dismissed':
      return [{ kind: 'dismiss', groupID: event.groupID }];
    case 'group.created': {
      const joinedAt = event.createTime === null ? version : event.createTime * 1000;
      return [{ kind: 'upsert', groupID: event.groupID, members: event.members.map((m) => ({ ...m, joinedAt })) }];
    }
    case 'group.owner.transferred':
      return [
        {
          kind: 'upsert',
          groupID: event.groupID,
          members: [
            { userID: event.oldOwnerUserID, roleLevel: RoleLevel.member, joinedAt: null },
            { userID: event.newOwnerUserID, roleLevel: RoleLevel.owner, joinedAt: null },
          ],
        },
      ];
    case 'group.member.info.set':
      return [{ kind: 'upsert', groupID: event.groupID, members: [{ ...event, joinedAt: null }] }];
    default:
      // Not membership: other projections (or none) handle it.
      return [];
  }
}
