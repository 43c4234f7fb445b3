export type { CallbackCheck, Catalog } from './catalog.js';
export { commandDefinitions, createCatalog, findCommand } from './catalog.js';
export type { CommandDefinition } from './define-command.js';
export { defineCommand } from './define-command.js';
export type {
  CallbackEvent,
  CallbackEventType,
  GroupCreated,
  GroupDismissed,
  GroupOwnerTransferred,
  MemberInfoSet,
  MemberJoined,
  MemberQuit,
  MembersKicked,
} from './events.js';
export { RoleLevel } from './events.js';
