import type { z } from 'zod';
import { conversationCommands } from './commands/conversations.js';
import { friendCommands } from './commands/friends.js';
import { groupMembershipCommands } from './commands/group-membership.js';
import { groupCommands } from './commands/groups.js';
import { messageCommands } from './commands/messages.js';
import { userCommands } from './commands/users.js';
import type { CommandDefinition } from './define-command.js';
import type { CallbackEvent } from './events.js';
import { fail, ok, type Result } from './result.js';

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

/** Why a callback was refused: `message` for one line, `detail` lists every schema issue. */
export interface CheckFailure {
  code: 'unknown-command' | 'disabled-command' | 'invalid-body';
  message: string;
  detail: string;
}

/** A callback that passed its schema, and the event it means. */
export interface CheckedCallback {
  definition: CommandDefinition;
  event: CallbackEvent;
}

/** Result of looking a command up in a catalog. */
export type CommandLookup = Result<CommandDefinition, CheckFailure>;

/** Result of checking one callback against the catalog. */
export type CallbackCheck = Result<CheckedCallback, CheckFailure>;

/** A view of the catalog limited to the enabled commands. */
export interface Catalog {
  /** The definition for an enabled command string or alias, first letter in any case. Never throws. */
  find(command: string): CommandLookup;
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
  // One lookup result per enabled command, made once: a lookup on the ack path allocates nothing.
  const found = new Map<CommandDefinition, CommandLookup>();
  for (const name of enabled ?? commandDefinitions.map((d) => d.command)) {
    const definition = findCommand(name);
    if (!definition) throw new Error(`unknown OpenIM callback command "${name}"`);
    found.set(definition, ok(definition));
  }
  const find = (command: string) => lookUp(found, command);
  return {
    enabled: [...found.keys()].map((d) => d.command),
    find,
    check: (urlCommand, body) => {
      const lookup = find(urlCommand);
      return lookup.ok ? checkBody(lookup.value, urlCommand, body) : lookup;
    },
  };
}

function refuse(code: CheckFailure['code'], message: string, detail = '') {
  return fail<CheckFailure>({ code, message, detail });
}

function lookUp(found: ReadonlyMap<CommandDefinition, CommandLookup>, command: string): CommandLookup {
  const definition = findCommand(command);
  if (!definition) return refuse('unknown-command', `unknown callback command "${command}"`);
  return (
    found.get(definition) ??
    refuse('disabled-command', `callback command "${command}" is not enabled (ENABLED_COMMANDS)`)
  );
}

function checkBody(definition: CommandDefinition, urlCommand: string, body: unknown): CallbackCheck {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return refuse('invalid-body', `${urlCommand}: the body must be a JSON object`);
  }
  const sent = (body as Record<string, unknown>).callbackCommand;
  if (typeof sent !== 'string') {
    return refuse('invalid-body', `${urlCommand}: callbackCommand must be a string naming the command`);
  }
  // Compare what the names resolve to: a v3.6 alias in the body and the
  // canonical name (a job's name) are the same command.
  if (findCommand(sent) !== definition) {
    return refuse('invalid-body', `${urlCommand}: the body's callbackCommand "${sent}" names another command`);
  }
  const parsed = definition.schema.safeParse(body);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    return refuse('invalid-body', `${urlCommand}: ${issues[0]}`, issues.join('; '));
  }
  return ok({ definition, event: definition.normalize(parsed.data) });
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path
      .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i > 0 ? '.' : ''}${String(part)}`))
      .join('');
    return `${path || 'body'}: ${issue.message}`;
  });
}
