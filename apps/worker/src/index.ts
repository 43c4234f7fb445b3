// The worker's library surface, for the `jobs` tool (packages/cli): reconcile in-process,
// directly against Postgres, with the same code the worker runs. Nothing here does I/O on import.
export type { FieldChange, GroupDiff, MemberField } from './reconcile/member-diff.js';
export type { OpenImConfig, ReconcileConfig } from './reconcile/reconcile-config.js';
export { checkReconcileEnv, reconcileEnv, toReconcileConfig } from './reconcile/reconcile-config.js';
export type { ReconcileQueue } from './reconcile/reconcile-jobs.js';
export {
  enqueueGroupReconciles,
  RECONCILE_ALL,
  RECONCILE_GROUP,
  requestReconcileAll,
  scheduleReconcileAll,
} from './reconcile/reconcile-jobs.js';
export type { GroupReconcileResult, ReconcilePlanAll, Reconciler } from './reconcile/reconciler.js';
export { createReconciler } from './reconcile/reconciler.js';
export { migrate } from './sinks/postgres/migrations.js';
