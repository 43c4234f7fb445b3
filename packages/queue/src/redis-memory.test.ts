import { describe, expect, it } from 'vitest';
import { aboveHighWater, announceChanges, createRedisMemoryWatch, readMemory } from './redis-memory.js';

/** An INFO memory reply as Redis 7 sends it (CRLF, a section header, more fields than read). */
const info = (used: number, max: number) =>
  `# Memory\r\nused_memory:${used}\r\nused_memory_human:1.00M\r\nused_memory_rss:9000000\r\nmaxmemory:${max}\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\n`;

describe('readMemory', () => {
  it('reads used_memory and maxmemory from INFO memory', () => {
    expect(readMemory(info(1_109_856, 20_971_520))).toEqual({ usedMemory: 1_109_856, maxmemory: 20_971_520 });
  });

  it('is undefined when a field is missing or not a number', () => {
    expect(readMemory('# Memory\r\nused_memory:100\r\n')).toBeUndefined();
    expect(readMemory('used_memory:abc\r\nmaxmemory:0\r\n')).toBeUndefined();
  });
});

describe('aboveHighWater', () => {
  it('is full from the mark on', () => {
    expect(aboveHighWater({ usedMemory: 799, maxmemory: 1000 }, 0.8)).toBe(false);
    expect(aboveHighWater({ usedMemory: 800, maxmemory: 1000 }, 0.8)).toBe(true);
    expect(aboveHighWater({ usedMemory: 1200, maxmemory: 1000 }, 0.8)).toBe(true);
  });

  it('never says full without a limit (maxmemory 0)', () => {
    expect(aboveHighWater({ usedMemory: 10 ** 12, maxmemory: 0 }, 0.8)).toBe(false);
  });
});

describe('createRedisMemoryWatch', () => {
  function scripted(...replies: Array<string | Error>) {
    let i = 0;
    return {
      info: async () => {
        const reply = replies[Math.min(i++, replies.length - 1)] as string | Error;
        if (reply instanceof Error) throw reply;
        return reply;
      },
    };
  }

  it('keeps the verdict in a variable and reports each change once', async () => {
    const changes: Array<[boolean, number | undefined]> = [];
    const connection = scripted(info(100, 1000), info(850, 1000), info(900, 1000), info(500, 1000));
    const watch = createRedisMemoryWatch({
      connection,
      highWater: 0.8,
      onChange: (full, reading) => changes.push([full, reading?.usedMemory]),
    });
    expect([watch.full(), watch.ratio()]).toEqual([false, undefined]);
    expect(await watch.poll()).toBe(false);
    expect(watch.ratio()).toBe(0.1);
    expect(await watch.poll()).toBe(true);
    expect(await watch.poll()).toBe(true);
    expect(watch.full()).toBe(true);
    expect(await watch.poll()).toBe(false);
    expect(changes).toEqual([
      [true, 850],
      [false, 500],
    ]);
  });

  it('keeps the last verdict while Redis cannot be read', async () => {
    const watch = createRedisMemoryWatch({
      connection: scripted(info(900, 1000), new Error('Connection is closed.')),
      highWater: 0.8,
    });
    expect(await watch.poll()).toBe(true);
    expect(await watch.poll()).toBe(true);
  });

  it('has no verdict but "room" without a limit, and says once when INFO lacks the fields', async () => {
    const changes: unknown[] = [];
    const none = createRedisMemoryWatch({ connection: scripted(info(10 ** 9, 0)), highWater: 0.5 });
    expect(await none.poll()).toBe(false);
    expect(none.ratio()).toBeUndefined();
    const odd = createRedisMemoryWatch({
      connection: scripted('# Memory\r\n'),
      highWater: 0.5,
      onChange: (full, reading) => changes.push({ full, reading }),
    });
    await odd.poll();
    await odd.poll();
    expect(changes).toEqual([{ full: false, reading: undefined }]);
  });

  it('polls on its timer; close() may be called twice', async () => {
    let calls = 0;
    const watch = createRedisMemoryWatch({
      connection: {
        info: async () => {
          calls++;
          return info(900, 1000);
        },
      },
      highWater: 0.8,
    });
    watch.start(10);
    await expect.poll(() => calls, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    expect(watch.full()).toBe(true);
    watch.close();
    watch.close();
  });
});

describe('announceChanges', () => {
  it('says a stretch above the mark once, and a flapping verdict once per quiet period', () => {
    let clock = 0;
    const said: string[] = [];
    const onChange = announceChanges(
      { full: (r) => said.push(`full ${r.usedMemory}`), room: (r) => said.push(`room ${r.usedMemory}`) },
      { quietMs: 30_000, now: () => clock },
    );
    const at = (usedMemory: number) => ({ usedMemory, maxmemory: 1000 });
    onChange(true, at(960));
    clock = 1000;
    onChange(false, at(940));
    for (clock = 2000; clock < 30_000; clock += 2000) {
      onChange(true, at(951));
      onChange(false, at(949));
    }
    clock = 31_000;
    onChange(true, at(970));
    onChange(false, at(900));
    expect(said).toEqual(['full 960', 'room 940', 'full 970', 'room 900']);
  });
});
