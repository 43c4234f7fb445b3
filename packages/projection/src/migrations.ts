import type pg from 'pg';

/**
 * Schema versions, applied in order, each once. Never edit a released
 * migration: add a new one.
 *
 * Versions (`*_version` columns) are the ingress's receive time in µs since
 * the epoch: the only clock OpenIM's callbacks give. Removals and dismissals are kept so a
 * join that arrives after a newer quit cannot bring the member back.
 */
const migrations: ReadonlyArray<{ version: number; name: string; sql: (schema: string) => string }> = [
  {
    version: 1,
    name: 'group membership projection',
    sql: (s) => `
      CREATE TABLE ${s}.group_members (
        group_id        text        NOT NULL,
        user_id         text        NOT NULL,
        role_level      integer,
        join_source     integer,
        req_message     text,
        nickname        text,
        face_url        text,
        ex              text,
        group_ex        text,
        joined_at       timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL DEFAULT now(),
        member_version  bigint      NOT NULL,
        joined_version  bigint      NOT NULL DEFAULT 0,
        role_version    bigint      NOT NULL DEFAULT 0,
        info_version    bigint      NOT NULL DEFAULT 0,
        PRIMARY KEY (group_id, user_id)
      );
      CREATE INDEX group_members_user_idx ON ${s}.group_members (user_id);

      CREATE TABLE ${s}.group_member_removals (
        group_id        text        NOT NULL,
        user_id         text        NOT NULL,
        reason          text        NOT NULL,
        removed_version bigint      NOT NULL,
        removed_at      timestamptz NOT NULL,
        PRIMARY KEY (group_id, user_id)
      );

      CREATE TABLE ${s}.group_dismissals (
        group_id          text        PRIMARY KEY,
        dismissed_version bigint      NOT NULL,
        dismissed_at      timestamptz NOT NULL
      );

      CREATE TABLE ${s}.applied_events (
        event_id    text        PRIMARY KEY,
        command     text        NOT NULL,
        group_id    text,
        received_at timestamptz NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now()
      );`,
  },
  {
    version: 2,
    name: 'user profiles and presence',
    sql: (s) => `
      CREATE TABLE ${s}.user_profiles (
        user_id        text        PRIMARY KEY,
        nickname       text,
        face_url       text,
        ex             text,
        registered_at  timestamptz,
        info_version   bigint      NOT NULL,
        updated_at     timestamptz NOT NULL DEFAULT now()
      );

      -- One row per user and platform: the newest report by OpenIM's own clock
      -- (seq, in ms). Repeated reports only move reported_at.
      CREATE TABLE ${s}.user_presence (
        user_id           text        NOT NULL,
        platform_id       integer     NOT NULL,
        platform          text,
        online            boolean     NOT NULL,
        is_app_background boolean,
        conn_id           text,
        seq               bigint      NOT NULL,
        reported_at       timestamptz NOT NULL,
        PRIMARY KEY (user_id, platform_id)
      );
      CREATE INDEX user_presence_online_idx ON ${s}.user_presence (user_id) WHERE online;`,
  },
  {
    version: 3,
    name: 'reconcile state',
    // What OpenIM said about a group at its last reconcile: while its member count and
    // member-list hash stay the same, the scheduled reconcile skips the group.
    sql: (s) => `
      CREATE TABLE ${s}.group_reconcile_state (
        group_id         text        PRIMARY KEY,
        member_count     integer     NOT NULL,
        member_list_hash text        NOT NULL,
        checked_at       timestamptz NOT NULL DEFAULT now()
      );`,
  },
  {
    version: 4,
    name: 'profile field versions',
    // A version per profile field, so an older update that arrives late cannot hide a field
    // a newer update left unchanged: each field keeps the newest value sent for it.
    sql: (s) => `
      ALTER TABLE ${s}.user_profiles
        ADD COLUMN nickname_version bigint NOT NULL DEFAULT 0,
        ADD COLUMN face_url_version bigint NOT NULL DEFAULT 0,
        ADD COLUMN ex_version       bigint NOT NULL DEFAULT 0;
      UPDATE ${s}.user_profiles SET
        nickname_version = CASE WHEN nickname IS NULL THEN 0 ELSE info_version END,
        face_url_version = CASE WHEN face_url IS NULL THEN 0 ELSE info_version END,
        ex_version       = CASE WHEN ex IS NULL THEN 0 ELSE info_version END;`,
  },
  {
    version: 5,
    name: 'member role history',
    // Every role statement about a member, by version: a level (join, create, set info, a
    // transfer's new owner, a reconcile), a removal (level and role_from null), or a transfer's old
    // owner, who takes the level role_from held just before `version`. A transfer that arrives
    // late, or an older event of its new owner that arrives after it, needs the level the new owner
    // held at the transfer: group_members keeps only the newest. Seeded from the current rows.
    sql: (s) => `
      CREATE TABLE ${s}.group_member_roles (
        group_id   text    NOT NULL,
        user_id    text    NOT NULL,
        version    bigint  NOT NULL,
        role_level integer,
        role_from  text,
        PRIMARY KEY (group_id, user_id, version)
      );
      CREATE INDEX group_member_roles_derived_idx ON ${s}.group_member_roles (group_id, version)
        WHERE role_from IS NOT NULL;
      INSERT INTO ${s}.group_member_roles (group_id, user_id, version, role_level)
        SELECT group_id, user_id, role_version, role_level FROM ${s}.group_members
         WHERE role_version > 0 AND role_level IS NOT NULL;
      INSERT INTO ${s}.group_member_roles (group_id, user_id, version)
        SELECT group_id, user_id, removed_version FROM ${s}.group_member_removals
        ON CONFLICT DO NOTHING;`,
  },
];

export const LATEST_VERSION = migrations.at(-1)?.version ?? 0;

/**
 * Brings `schema` up to date. Safe to run from many workers at once: a
 * transaction-scoped advisory lock lets one migrate while the others wait,
 * then find nothing left to do.
 */
export async function migrate(pool: pg.Pool, schemaName: string): Promise<number[]> {
  const s = quoteIdent(schemaName);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`openim-sync:migrate:${schemaName}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`);
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql(s));
      await client.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
