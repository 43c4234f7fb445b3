// `pnpm start`: runs the built ingress and one worker side by side, without
// Docker, configured by the environment (defaults: local Redis and Postgres).
// Signals go to both; when one exits, the other is stopped too.
import { spawn } from 'node:child_process';

const entries = { ingress: 'apps/ingress/dist/main.js', worker: 'apps/worker/dist/main.js' };
const children = Object.entries(entries).map(([name, entry]) => {
  const child = spawn(process.execPath, [entry], { stdio: 'inherit', env: process.env });
  child.on('exit', (code, signal) => {
    console.error(`${name} exited (${signal ?? code})`);
    stopAll('SIGTERM');
    process.exitCode ||= code ?? 1;
  });
  return child;
});

function stopAll(signal) {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(signal));
