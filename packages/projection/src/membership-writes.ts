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
  /**
   * A transfer's old owner: the member takes the level this user held just
   * before the event (`roleLevel` is then only a placeholder until the
   * projection settles it from the role history).
   */
  roleFrom?: string | null;
}

/**
 * Adds the locks applying `event` needs: a member writer takes the group's
 * lock shared and its members' locks, so writers of different members of a
 * group run side by side; a dismissal takes the group's lock exclusively,
 * and so does a transfer: the old owner's level is read from other members'
 * role history, which no shared holder may be changing meanwhile.
 */
export function lockMembership(event: CallbackEvent, locks: LockSet) {
  for (const write of membershipWrites(event, 0)) {
    locks.key(groupLockKey(write.groupID), write.kind === 'dismiss' || readsOtherRoles(write));
    if (write.kind === 'upsert')
      locks.members(
        write.groupID,
        write.members.map((m) => m.userID),
      );
    if (write.kind === 'remove') locks.members(write.groupID, write.userIDs);
  }
}

/** Whether a write's levels depend on other members' role history (a transfer's old owner). */
function readsOtherRoles(write: GroupWrite): boolean {
  return write.kind === 'upsert' && write.members.some((m) => m.roleFrom);
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
      // OpenIM reports a dismissal twice: DismissGroup keeps the rows and lists them in
      // membersID, then its push service calls DismissGroup(deleteMember=true), which deletes them
      // and reports an empty membersID (open-im-server main, v3.8.3, v3.7.0:
      // internal/rpc/group/group.go DismissGroup; internal/push/push_handler.go). Each report
      // ends every membership older than itself, so the group is memberless from the first, in
      // either order. A membership event newer than a dismissal still applies: OpenIM sends a
      // callback only for a change it made, and JoinGroup and TransferGroupOwner refuse a group at
      // status 2, so a later join means MuteGroup or CancelMuteGroup overwrote that status (they
      // do not check it). Between the two reports OpenIM still changes the kept rows (member
      // info, quit, kick); the second report, newer, removes them again.
      return [{ kind: 'dismiss', groupID: event.groupID }];
    case 'group.created': {
      const joinedAt = event.createTime === null ? version : event.createTime * 1000;
      return [{ kind: 'upsert', groupID: event.groupID, members: event.members.map((m) => ({ ...m, joinedAt })) }];
    }
    case 'group.owner.transferred':
      // The new owner gets 100; the old owner gets the level the NEW owner held before the
      // transfer (OpenIM reads it first, then writes both): open-im-server main and v3.8.3
      // internal/rpc/group/group.go TransferGroupOwner → controller/group.go TransferGroupOwner →
      // mgo/group_member.go UpdateUserRoleLevels; v3.7.0 pkg/common/db/controller/group.go
      // TransferGroupOwner (UpdateRoleLevel twice). The payload carries no levels: the
      // projection settles the old owner's from its role history (see roleFrom).
      return [
        {
          kind: 'upsert',
          groupID: event.groupID,
          members: [
            {
              userID: event.oldOwnerUserID,
              roleLevel: RoleLevel.member,
              roleFrom: event.newOwnerUserID,
              joinedAt: null,
            },
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
