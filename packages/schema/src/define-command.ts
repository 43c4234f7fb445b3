import type { z } from 'zod';
import type { CallbackEvent } from './events.js';

/** The domain a command belongs to: README tables, routing and metrics group by it. */
export type CommandCategory = 'group-membership' | 'user' | 'friend' | 'group' | 'message' | 'conversation';

/**
 * How many of these callbacks a busy OpenIM sends. `high` (messages, read
 * receipts, presence reports) may be routed to a queue of its own so it never
 * delays the `normal` ones (membership, profiles, friends).
 */
export type CommandVolume = 'high' | 'normal';

/** What a catalog entry knows about one OpenIM callback command. */
export interface CommandDefinition<
  TSchema extends z.ZodType = z.ZodType,
  TEvent extends CallbackEvent = CallbackEvent,
> {
  /** The canonical command string (OpenIM v3.7+ spelling); also the job name. */
  command: string;
  /** Older spellings OpenIM used for the same callback (v3.6 and before). */
  aliases: readonly string[];
  /** The domain of the command. */
  category: CommandCategory;
  /** A routing hint: high-volume commands may get their own queue. */
  volume: CommandVolume;
  /** One line for humans: README tables, CLI output. */
  summary: string;
  /** Validates the body; unknown fields and `null`s pass through untouched. */
  schema: TSchema;
  /** Maps a validated body to the event the worker applies. */
  normalize: (body: z.output<TSchema>) => TEvent;
}

/** Identity helper that keeps the schema and normalizer types tied together. */
export function defineCommand<TSchema extends z.ZodType, TEvent extends CallbackEvent>(
  definition: CommandDefinition<TSchema, TEvent>,
): CommandDefinition<TSchema, TEvent> {
  return definition;
}
