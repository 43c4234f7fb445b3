export type { CliOptions } from './cli.js';
export { commands, runCli } from './cli.js';
export type { Command, CommandContext } from './command.js';
export { EXIT } from './command.js';
export { createCliConnection, RedisUnreachableError, waitUntilConnected } from './connection.js';
export type { JobFilter } from './filters.js';
export { parseFilter, usersOf } from './filters.js';
export type { Output } from './output.js';
export { createCapture } from './output.js';
