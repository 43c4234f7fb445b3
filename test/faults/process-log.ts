import type { ServiceProcess } from '@openim-sync/testing';

/** True until the process exits (by itself or by a signal). */
export function isRunning(p: ServiceProcess): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}

/** Lines of a process's JSON log with this `msg`. */
export function logLines(p: ServiceProcess, msg: string): Array<Record<string, unknown>> {
  const marker = `"msg":"${msg}"`;
  return p.output.filter((line) => line.includes(marker)).map((line) => JSON.parse(line));
}
