import { once } from 'node:events';
import type { Logger } from '@openim-sync/runtime';
import type { Redis } from 'ioredis';

/**
 * The three Redis settings the promise "nothing acknowledged is lost" rests
 * on, as Redis reported them; `undefined` when neither CONFIG GET nor INFO
 * would say (managed Redis often disables CONFIG).
 */
export interface RedisDurability {
  appendonly: boolean | undefined;
  /** Bytes; 0 is no limit. */
  maxmemory: number | undefined;
  maxmemoryPolicy: string | undefined;
}

/** One thing that puts acknowledged callbacks at risk, with what to set; `setting` names the Redis directive. */
export interface RedisSettingWarning {
  setting: 'appendonly' | 'maxmemory' | 'maxmemory-policy';
  value: string;
  message: string;
}

type Reader = Pick<Redis, 'config' | 'info'>;

/** Reads the settings with CONFIG GET, falling back to INFO for each one CONFIG cannot give. */
export async function readRedisDurability(redis: Reader): Promise<RedisDurability> {
  const [appendonly, maxmemory, policy] = await Promise.all(
    ['appendonly', 'maxmemory', 'maxmemory-policy'].map((name) => configGet(redis, name)),
  );
  const info =
    appendonly === undefined || maxmemory === undefined || policy === undefined
      ? await readInfo(redis)
      : new Map<string, string>();
  const aof = appendonly ?? (info.has('aof_enabled') ? (info.get('aof_enabled') === '1' ? 'yes' : 'no') : undefined);
  const limit = maxmemory ?? info.get('maxmemory');
  return {
    appendonly: aof === undefined ? undefined : aof === 'yes',
    maxmemory: limit === undefined || !/^\d+$/.test(limit) ? undefined : Number(limit),
    maxmemoryPolicy: policy ?? info.get('maxmemory_policy'),
  };
}

/** What in `settings` cannot keep acknowledged callbacks, one warning per setting (unknown ones included). */
export function redisDurabilityWarnings(settings: RedisDurability): RedisSettingWarning[] {
  const warnings: RedisSettingWarning[] = [];
  const unknown = (setting: RedisSettingWarning['setting'], want: string): RedisSettingWarning => ({
    setting,
    value: 'unknown',
    message: `cannot read Redis's ${setting} (CONFIG GET and INFO refused): make sure it is ${want}, or acknowledged callbacks may be lost`,
  });
  if (settings.appendonly === undefined) warnings.push(unknown('appendonly', 'yes'));
  else if (!settings.appendonly) {
    warnings.push({
      setting: 'appendonly',
      value: 'no',
      message:
        'Redis appendonly is no: a Redis restart loses callbacks already acknowledged to OpenIM; set appendonly yes (appendfsync everysec)',
    });
  }
  if (settings.maxmemory === undefined) warnings.push(unknown('maxmemory', 'set (not 0)'));
  else if (settings.maxmemory === 0) {
    warnings.push({
      setting: 'maxmemory',
      value: '0',
      message:
        'Redis maxmemory is 0 (no limit): Redis grows until the kernel kills it, and the ingress has no high-water mark to answer 503 at; set maxmemory with headroom (docs/RELIABILITY.md, "Sizing Redis")',
    });
  }
  const policy = settings.maxmemoryPolicy;
  if (policy === undefined) warnings.push(unknown('maxmemory-policy', 'noeviction'));
  else if (policy !== 'noeviction') {
    warnings.push({
      setting: 'maxmemory-policy',
      value: policy,
      message: `Redis maxmemory-policy is ${policy}: a full Redis evicts queue keys (acknowledged callbacks and jobs vanish); set maxmemory-policy noeviction`,
    });
  }
  return warnings;
}

/**
 * Logs one warning line per Redis setting that cannot keep the promise
 * "nothing acknowledged is lost". Waits for the connection to be ready (it
 * may connect after the app started); never throws, never blocks the caller.
 */
export async function warnAboutRedisDurability(redis: Redis, logger: Pick<Logger, 'warn'>): Promise<void> {
  try {
    if (redis.status !== 'ready') await once(redis, 'ready');
    const warnings = redisDurabilityWarnings(await readRedisDurability(redis));
    for (const { setting, value, message } of warnings) logger.warn({ redisSetting: setting, value }, message);
  } catch (err) {
    logger.warn({ err }, 'cannot check the Redis settings (appendonly, maxmemory, maxmemory-policy)');
  }
}

/** One CONFIG GET; undefined when CONFIG is disabled, refused by an ACL, or the name unknown. */
async function configGet(redis: Reader, name: string): Promise<string | undefined> {
  try {
    const reply = (await redis.config('GET', name)) as unknown as string[];
    return reply[1];
  } catch {
    return undefined;
  }
}

/** The fields of INFO persistence and INFO memory; empty when INFO is refused. */
async function readInfo(redis: Reader): Promise<Map<string, string>> {
  const sections = await Promise.all(['persistence', 'memory'].map((s) => redis.info(s).catch(() => '')));
  return parseRedisInfo(sections.join('\r\n'));
}

/** The `field:value` lines of an INFO reply, by field. */
export function parseRedisInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}
