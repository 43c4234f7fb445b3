import type { z } from 'zod';
import type { CallbackEvent } from './events.js';

/** What a catalog entry knows about one OpenIM callback command. */
export interface CommandDefinition<
  TSchema extends z.ZodType = z.ZodType,
  TEvent extends CallbackEvent = CallbackEvent,
> {
  /** The canonical command string (OpenIM v3.7+ spelling); also the job name. */
  command: string;
  /** Older spellings OpenIM used for the same callback (v3.6 and before). */
  aliases: readonly string[];
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
