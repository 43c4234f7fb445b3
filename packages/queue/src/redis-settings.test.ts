import { describe, expect, it } from 'vitest';
import { parseRedisInfo, readRedisDurability, redisDurabilityWarnings } from './redis-settings.js';

const SAFE = { appendonly: true, maxmemory: 2 ** 30, maxmemoryPolicy: 'noeviction' };

describe('redisDurabilityWarnings', () => {
  it('has nothing to say about appendonly yes, a maxmemory and noeviction', () => {
    expect(redisDurabilityWarnings(SAFE)).toEqual([]);
  });

  it('names each setting that loses acknowledged callbacks, with what to set', () => {
    const warnings = redisDurabilityWarnings({ appendonly: false, maxmemory: 0, maxmemoryPolicy: 'allkeys-lru' });
    expect(warnings.map((w) => [w.setting, w.value])).toEqual([
      ['appendonly', 'no'],
      ['maxmemory', '0'],
      ['maxmemory-policy', 'allkeys-lru'],
    ]);
    expect(warnings[0]?.message).toMatch(/restart loses callbacks already acknowledged.*set appendonly yes/);
    expect(warnings[1]?.message).toMatch(/grows until the kernel kills it.*set maxmemory/);
    expect(warnings[2]?.message).toMatch(/evicts queue keys.*set maxmemory-policy noeviction/);
  });

  it('says when it cannot tell', () => {
    const warnings = redisDurabilityWarnings({
      appendonly: undefined,
      maxmemory: undefined,
      maxmemoryPolicy: undefined,
    });
    expect(warnings.map((w) => [w.setting, w.value])).toEqual([
      ['appendonly', 'unknown'],
      ['maxmemory', 'unknown'],
      ['maxmemory-policy', 'unknown'],
    ]);
    for (const w of warnings) expect(w.message).toMatch(/^cannot read Redis's/);
  });
});

describe('readRedisDurability', () => {
  const refused = async () => {
    throw new Error("ERR unknown command 'CONFIG'");
  };

  it('prefers CONFIG GET', async () => {
    const values: Record<string, string> = {
      appendonly: 'yes',
      maxmemory: '1048576',
      'maxmemory-policy': 'noeviction',
    };
    const redis = {
      config: async (_: string, name: string) => [name, values[name]],
      info: async () => '',
    };
    expect(await readRedisDurability(redis as never)).toEqual({
      appendonly: true,
      maxmemory: 1_048_576,
      maxmemoryPolicy: 'noeviction',
    });
  });

  it('falls back to INFO persistence and INFO memory when CONFIG is disabled', async () => {
    const sections: Record<string, string> = {
      persistence: '# Persistence\r\nloading:0\r\naof_enabled:0\r\n',
      memory: '# Memory\r\nused_memory:1000\r\nmaxmemory:0\r\nmaxmemory_policy:allkeys-lru\r\n',
    };
    const redis = { config: refused, info: async (section: string) => sections[section] ?? '' };
    expect(await readRedisDurability(redis as never)).toEqual({
      appendonly: false,
      maxmemory: 0,
      maxmemoryPolicy: 'allkeys-lru',
    });
  });

  it('leaves a setting unknown when neither answers', async () => {
    const redis = { config: refused, info: refused };
    expect(await readRedisDurability(redis as never)).toEqual({
      appendonly: undefined,
      maxmemory: undefined,
      maxmemoryPolicy: undefined,
    });
  });
});

describe('parseRedisInfo', () => {
  it('reads field:value lines and skips section headers', () => {
    const fields = parseRedisInfo(
      '# Server\r\nredis_version:7.0.15\r\n\r\n# Memory\r\nmaxmemory_policy:noeviction\r\n',
    );
    expect(Object.fromEntries(fields)).toEqual({ redis_version: '7.0.15', maxmemory_policy: 'noeviction' });
  });
});
