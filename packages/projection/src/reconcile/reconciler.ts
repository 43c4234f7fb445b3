import {
  ErrCode,
  type GroupAbstractInfo,
  type GroupMember,
  GroupStatus,
  OpenImApiError,
  type OpenImClient,
} from '@openim-sync/openim-client';
import type { Logger } from '@openim-sync/runtime';
import type pg from 'pg';
import { quoteIdent } from '../migrations.js';
import { toPgText } from '../pg-text.js';
import { createProjection } from '../projection.js';
import { inTransaction } from '../transaction.js';
import { type GroupDiff, type OpenImTruth, planReconcile, type ReconcilePlan } from './member-diff.js';
import { createReconcileStore } from './reconcile-store.js';

/** Drift counters: what reconciliation had to repair, i.e. what callbacks failed to tell. */
export interface ReconcileMetrics {
  /** Counts one reconciled group: its outcome and its member changes. */
  observeGroup(result: GroupDiff & { outcome: 'in-sync' | 'repaired' }): void;
  /** Counts groups a full reconcile skipped because OpenIM's count and hash had not changed. */
  observeSkipped(count: number): void;
}

export interface ReconcilerDeps {
  pool: pg.Pool;
  /** The projection's schema name (unquoted). */
  schema: string;
  openim: OpenImClient;
  logger: Logger;
  metrics?: ReconcileMetrics;
  /** Epoch ms; the reconcile's version is this × 1000 (µs), like the ingress's receive clock. */
  now?: () => number;
}

/** What reconciling one group did (or, in a dry run, would do). */
export interface GroupReconcileResult extends GroupDiff {
  /** `repaired`: something differed (and was applied unless dry run); `in-sync`: nothing did. */
  outcome: 'in-sync' | 'repaired';
  /** The reconcile's version: receive-clock µs taken before OpenIM was read. */
  readAt: number;
}

/** What OpenIM said about one group, and its count and hash read just before. */
interface OpenImRead {
  truth: OpenImTruth;
  abstract?: GroupAbstractInfo | undefined;
}

/** The groups a full reconcile looks at, and the ones it may skip. */
export interface ReconcilePlanAll {
  groupIDs: string[];
  skipped: string[];
}

/**
 * Makes the membership projection equal OpenIM's truth, group by group.
 *
 * A reconcile's changes carry the version `readAt`: the receive clock (µs)
 * before OpenIM was read. They go through the projection's guarded SQL in
 * one transaction recorded in applied_events, under the group's exclusive
 * lock, so a callback the ingress received after `readAt` (newer news)
 * wins, and one received before it, applied late, loses only where it is
 * older than OpenIM's list, which already reflects it.
 */
export function createReconciler({ pool, schema, openim, logger, metrics, now = Date.now }: ReconcilerDeps) {
  const s = quoteIdent(schema);
  const projection = createProjection(s);
  const store = createReconcileStore(s);

  async function readTruth(groupID: string): Promise<OpenImRead> {
    const [info] = await openim.getGroupsInfo([groupID]);
    if (!info) return { truth: { kind: 'unknown' } };
    if (info.status === GroupStatus.dismissed) return { truth: { kind: 'dismissed' } };
    // The hash is read before the members: if they change in between, the saved hash is the older
    // one and the next scheduled reconcile looks again instead of skipping.
    const [abstract] = await openim.getGroupAbstractInfo([groupID]);
    try {
      // One call for the whole list (a paged read can miss members when the list shifts between
      // pages), then the members' details; one who left in between is simply not a member any more.
      const userIDs = await openim.getGroupMemberUserIDs(groupID);
      const members = (await openim.getGroupMembersInfo(groupID, userIDs)).map(asStored);
      return { truth: { kind: 'members', members }, abstract };
    } catch (err) {
      const gone =
        err instanceof OpenImApiError && (err.code === ErrCode.groupNotFound || err.code === ErrCode.groupDismissed);
      if (gone) return { truth: { kind: err.code === ErrCode.groupDismissed ? 'dismissed' : 'unknown' } };
      throw err;
    }
  }

  async function reconcileGroup(groupID: string, { dryRun = false } = {}): Promise<GroupReconcileResult> {
    const readAt = Math.round(now() * 1000);
    const read = await readTruth(groupID);
    const result = await inTransaction(pool, async (client) => {
      await store.lockGroup(client, groupID);
      const plan = planReconcile(groupID, readAt, await store.snapshot(client, groupID, readAt), read.truth);
      const { diff } = plan;
      const repaired = diff.added.length + diff.removed.length + diff.updated.length > 0 || diff.dismissed;
      const value: GroupReconcileResult = { ...diff, outcome: repaired ? 'repaired' : 'in-sync', readAt };
      if (dryRun) return { commit: false, value };
      if (repaired || plan.upserts.length > 0) {
        // Recorded like a callback; a reconcile's id is unique (its readAt), so this never finds one.
        if (!(await store.record(client, `reconcile-${groupID}-${readAt}`, groupID, readAt))) {
          return { commit: false, value: { ...value, outcome: 'in-sync' as const } };
        }
      }
      await applyPlan(client, plan, read, readAt);
      return { commit: true, value };
    });
    if (!dryRun) report(result);
    return result;
  }

  async function applyPlan(client: pg.ClientBase, plan: ReconcilePlan, read: OpenImRead, readAt: number) {
    const { groupID } = plan.diff;
    if (plan.dismiss) await projection.dismissGroup(client, groupID, readAt);
    else {
      await projection.upsertMembers(client, groupID, readAt, plan.upserts);
      await projection.removeMembers(client, groupID, plan.removals, 'reconcile', readAt);
      if (read.truth.kind === 'members') {
        const listed = read.truth.members.map((m) => m.userID);
        await store.confirm(client, groupID, listed, readAt);
      }
    }
    await store.saveState(client, groupID, read.truth.kind === 'members' ? read.abstract : undefined);
  }

  function report(result: GroupReconcileResult) {
    metrics?.observeGroup(result);
    if (result.outcome !== 'repaired') return;
    const { groupID, added, removed, updated, dismissed, readAt } = result;
    logger.info(
      { groupID, added: added.length, removed: removed.length, updated: updated.length, dismissed, readAt },
      'reconcile repaired a group',
    );
  }

  /**
   * The groups to reconcile: those OpenIM lists plus those the projection
   * knows (OpenIM's list leaves dismissed groups out). With `skipUnchanged`,
   * a listed group whose member count and list hash equal those of its last
   * reconcile is skipped.
   */
  async function planAll({ skipUnchanged = true } = {}): Promise<ReconcilePlanAll> {
    const listed = (await openim.listGroups()).map((g) => g.groupID);
    const known = await store.knownGroupIDs(pool);
    // The projection holds ids as stored (toPgText): compare OpenIM's in that form, or a group
    // whose id has a NUL would look unlisted, and be taken for dismissed.
    const listedSet = new Set(listed.map(toPgText));
    const unlisted = known.filter((id) => !listedSet.has(id));
    if (!skipUnchanged) return { groupIDs: [...listed, ...unlisted], skipped: [] };
    const [abstracts, states] = await Promise.all([openim.getGroupAbstractInfo(listed), store.states(pool, listed)]);
    const current = new Map(abstracts.map((a) => [a.groupID, a]));
    const skipped: string[] = [];
    const groupIDs: string[] = [];
    for (const groupID of listed) {
      const now = current.get(groupID);
      const last = states.get(toPgText(groupID));
      const same = now && last && now.memberCount === last.memberCount && now.memberListHash === last.memberListHash;
      (same ? skipped : groupIDs).push(groupID);
    }
    metrics?.observeSkipped(skipped.length);
    return { groupIDs: [...groupIDs, ...unlisted], skipped };
  }

  return { reconcileGroup, planAll };
}

export type Reconciler = ReturnType<typeof createReconciler>;

/**
 * A member as OpenIM lists it, with its text as the projection stores it
 * (toPgText: each NUL becomes U+FFFD), so text that only differs by that
 * replacement is not drift.
 */
function asStored(member: GroupMember): GroupMember {
  const { userID, nickname, faceURL, ex } = member;
  return {
    ...member,
    userID: toPgText(userID),
    nickname: toPgText(nickname),
    faceURL: toPgText(faceURL),
    ex: toPgText(ex),
  };
}
