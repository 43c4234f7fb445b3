import type { z } from 'zod';
import { conversationCommands } from './commands/conversations.js';
import { friendCommands } from './commands/friends.js';
import { groupMembershipCommands } from './commands/group-membership.js';
import { groupCommands } from './commands/groups.js';
import { messageCommands } from './commands/messages.js';
import { userCommands } from './commands/users.js';
import type { CommandDefinition } from './define-command.js';
import type { CallbackEvent } from './events.js';

// OpenIM's docs capitalise the first letter of `callbackCommand` in their
// examples while the URL uses lower camel case; both name the same command.
function commandKey(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** Every command the pipeline knows, in a stable order (grouped by category). */
export const commandDefinitions: readonly CommandDefinition[] = [
  ...groupMembershipCommands,
  ...userCommands,
  ...friendCommands,
  ...groupCommands,
  ...messageCommands,
  ...conversationCommands,
];

/** Result of checking one callback against the catalog. */
export type CallbackCheck =
  | { ok: true; definition: CommandDefinition; event: CallbackEvent }
  | { ok: false; reason: 'unknown-command' | 'disabled-command' | 'invalid-body'; message: string; detail: string };

/** A view of the catalog limited to the enabled commands. */
export interface Catalog {
  /** The definition for a command string or alias, first letter in any case. */
  find(command: string): CommandDefinition | undefined;
  /** Validates a parsed body sent for `urlCommand`. Never throws. */
  check(urlCommand: string, body: unknown): CallbackCheck;
  /** Canonical names of the enabled commands. */
  readonly enabled: readonly string[];
}

const byKey = new Map<string, CommandDefinition>();
for (const definition of commandDefinitions) {
  for (const name of [definition.command, ...definition.aliases]) {
    byKey.set(commandKey(name), definition);
  }
}

/** Looks a command up in the full catalog (aliases and either first-letter case included). */
export function findCommand(command: string): CommandDefinition | undefined {
  return byKey.get(commandKey(command));
}

/**
 * Builds a catalog that accepts only `enabled` commands (canonical names or
 * aliases; all known commands when omitted). Throws on a name it does not know.
 */
export function createCatalog(enabled?: readonly string[]): Catalog {
  const allowed = new Set<CommandDefinition>();
  for (const name of enabled ?? commandDefinitions.map((d) => d.command)) {
    const definition = findCommand(name);
    if (!definition) throw new Error(`unknown OpenIM callback command "${name}"`);
    allowed.add(definition);
  }
  return {
    enabled: [...allowed].map((d) => d.command),
    find: (command) => {
      const definition = findCommand(command);
      return definition && allowed.has(definition) ? definition : undefined;
    },
    check: (urlCommand, body) => checkCallback(allowed, urlCommand, body),
  };
}

function fail(reason: Extract<CallbackCheck, { ok: false }>['reason'], message: string, detail = '') {
  return { ok: false as const, reason, message, detail };
}

function checkCallback(allowed: ReadonlySet<CommandDefinition>, urlCommand: string, body: unknown): CallbackCheck {
  const definition = findCommand(urlCommand);
  if (!definition) return fail('unknown-command', `unknown callback command "${urlCommand}"`);
  if (!allowed.has(definition)) {
    return fail('disabled-command', `callback command "${urlCommand}" is not enabled (ENABLED_COMMANDS)`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail('invalid-body', `${urlCommand}: the body must be a JSON object`);
  }
  const sent = (body as Record<string, unknown>).callbackCommand;
  if (typeof sent !== 'string') {
    return fail('invalid-body', `${urlCommand}: callbackCommand must be a string naming the command`);
  }
  // Compare what the names resolve to: a v3.6 alias in the body and the
  // canonical name (a job's name) are the same command.
  if (findCommand(sent) !== definition) {
    return fail('invalid-body', `${urlCommand}: the body's callbackCommand "${sent}" names another command`);
  }
  const parsed = definition.schema.safeParse(body);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    return fail('invalid-body', `${urlCommand}: ${issues[0]}`, issues.join('; '));
  }
  return { ok: true, definition, event: definition.normalize(parsed.data) };
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path
      .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i > 0 ? '.' : ''}${String(part)}`))
      .join('');
    return `${path || 'body'}: ${issue.message}`;
  });
}
