#!/usr/bin/env node
import { runCli } from './cli.js';

// `openim-sync jobs failed --json | head -1` closes the pipe early: that is the reader's
// choice, not an error, so stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await runCli({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  // Installed only for a verb that asks (`counts --watch`): any other keeps Ctrl-C's usual stop.
  // `once`: a second Ctrl-C stops the process even if the graceful end hangs.
  interrupt() {
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    return controller.signal;
  },
});
