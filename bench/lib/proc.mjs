// Child processes for the benchmark: baselines (with an IPC "ready"), and the
// built apps (ready when a log line says so). Every child is tracked so a
// failing run still stops them all.
import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const children = new Set();

process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

// With BENCH_CPU_PROF=<dir>, every process the bench starts (the apps, and the bench's own
// scripts: the baselines, the load generators) writes a V8 CPU profile there when it stops.
const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];

/** Forks a bench script and resolves once it sends 'ready' (or its first message). */
export function forkScript(script, args, env) {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), args, {
    execArgv: [...process.execArgv, ...profile],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const firstMessage = new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
  });
  return { child, firstMessage, stop: () => stop(child) };
}

/** Starts a built app (`apps/<name>/dist/main.js`) and resolves when it logs `readyPattern`. */
export async function startApp(name, env, readyPattern) {
  const child = spawn(process.execPath, [...profile, `${root}apps/${name}/dist/main.js`], {
    env: { ...process.env, LOG_LEVEL: 'info', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  await new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error(`${name} not ready after 30 s`)), 30_000).unref();
    let seen = '';
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      if (readyPattern.test(seen)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${seen.slice(-500)}`)));
  });
  return { child, stop: () => stop(child) };
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** Resident and peak resident memory of a process, in MiB (Linux). */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? Number.NaN);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
}

/** A TCP port nothing listens on right now. */
export async function freePort() {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user + system) a process has used so far (Linux; clock ticks of 1/100 s). */
export function cpuSecondsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
