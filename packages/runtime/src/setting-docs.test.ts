import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { env } from './config.js';
import { describeSettings } from './setting-docs.js';

describe('describeSettings', () => {
  it('reads description, secret and example from .meta, and the default as it is written', () => {
    const docs = describeSettings({
      PORT: env.port(8080).meta({ description: 'Port.' }),
      INTERVAL: env.duration('15m').meta({ description: 'How often.' }),
      SINKS: env.list().default(['postgres', 'http']).meta({ description: 'Sinks.' }),
      TOKEN: z.string().optional().meta({ description: 'Token.', secret: true, example: 'abc' }),
      COMMANDS: env.list().default(['a', 'b']).meta({ description: 'Commands.', defaultText: 'every command' }),
    });
    expect(docs).toEqual([
      {
        name: 'PORT',
        description: 'Port.',
        default: '8080',
        defaultText: undefined,
        secret: false,
        example: undefined,
      },
      {
        name: 'INTERVAL',
        description: 'How often.',
        default: '15m',
        defaultText: undefined,
        secret: false,
        example: undefined,
      },
      {
        name: 'SINKS',
        description: 'Sinks.',
        default: 'postgres,http',
        defaultText: undefined,
        secret: false,
        example: undefined,
      },
      {
        name: 'TOKEN',
        description: 'Token.',
        default: undefined,
        defaultText: undefined,
        secret: true,
        example: 'abc',
      },
      {
        name: 'COMMANDS',
        description: 'Commands.',
        default: 'a,b',
        defaultText: 'every command',
        secret: false,
        example: undefined,
      },
    ]);
  });

  it('refuses a variable without a description, naming it', () => {
    expect(() => describeSettings({ PORT: env.port(8080) })).toThrow(/PORT/);
    // Metadata belongs to the outermost schema: a .default() after .meta() drops it.
    expect(() => describeSettings({ PORT: z.coerce.number().meta({ description: 'x' }).default(1) })).toThrow(/PORT/);
  });
});
