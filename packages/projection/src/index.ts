// The App's Postgres projection of OpenIM: its tables (migrate), the writer that applies callback
// events exactly once, and the reconciler that repairs it against OpenIM's REST API. The worker
// wires the writer in as its postgres sink and runs reconcile jobs; the `jobs` tool reconciles
// in-process. Nothing here does I/O on import.
export type { DatabaseConfig, DatabaseEnv } from './database-config.js';
export { databaseEnv, toDatabaseConfig } from './database-config.js';
export { migrate } from './migrations.js';
export { EventRefusedError } from './pg-errors.js';
export type { ProjectionEvent, ProjectionOutcome } from './projection-event.js';
export type { ProjectionWriter, ProjectionWriterOptions } from './projection-writer.js';
export { createProjectionWriter } from './projection-writer.js';
export type { FieldChange, GroupDiff, MemberField } from './reconcile/member-diff.js';
export type { OpenImConfig, ReconcileConfig } from './reconcile/reconcile-config.js';
export { checkReconcileEnv, reconcileEnv, toReconcileConfig } from './reconcile/reconcile-config.js';
export type {
  GroupReconcileResult,
  ReconcileMetrics,
  ReconcilePlanAll,
  Reconciler,
  ReconcilerDeps,
} from './reconcile/reconciler.js';
export { createReconciler } from './reconcile/reconciler.js';
