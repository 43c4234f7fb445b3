// The benchmark's table on stdout.
const fmt = (n) => (typeof n === 'number' ? n.toLocaleString('en-US', { maximumFractionDigits: 2 }) : String(n ?? '—'));

function table(title, header, rows) {
  console.log(`\n${title}`);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => fmt(r[i]).length)));
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : fmt(c).padStart(widths[i]))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

export function printTable(r) {
  console.log(`machine: ${r.machine.cpus} × ${r.machine.cpu}, ${r.machine.memoryGiB} GiB, node ${r.machine.node}`);
  // The parts that ran alongside the soak say so in their titles.
  const besideSoak = (part) =>
    r.memory?.soakAlongside?.includes(part) ? `; alongside the soak at ${r.memory.soak?.rate} req/s` : '';
  if (r.ingress) {
    const s = r.ingress.saturation;
    table(
      `ingress ack path at saturation (50 connections; median of rounds${besideSoak('ingress')})`,
      ['server', 'req/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'server CPU µs/req', 'Redis CPU µs/req', 'errors'],
      Object.entries(s).map(([name, v]) => [
        name,
        v.throughput,
        v.p50,
        v.p99,
        v.p999,
        v.serverCpuUsPerRequest,
        v.redisCpuUsPerRequest,
        v.errors,
      ]),
    );
    table(
      `at a fixed 1,000 req/s (evenly paced, open loop; sender lag = how late the generator sent${besideSoak('ingress')})`,
      ['server', 'req/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'sender lag p99 ms', 'errors'],
      Object.entries(r.ingress.fixedRate1000).map(([name, v]) => [
        name,
        v.throughput,
        v.p50,
        v.p99,
        v.p999,
        v.senderLagP99,
        v.errors,
      ]),
    );
    console.log(`raw Queue.add from one process: ${fmt(r.ingress.queueAddPerSecond)} adds/s`);
    console.log(`ratios: ${JSON.stringify(r.ingress.ratios)}`);
  }
  if (r.worker) {
    table(
      `worker drain (jobs/s; median of rounds${besideSoak('worker')})`,
      ['variant@concurrency', 'jobs/s', 'seconds', 'worker CPU µs/job', 'failed', 'peak RSS MiB'],
      Object.entries(r.worker.drains).map(([name, v]) => [
        name,
        v.jobsPerSecond,
        v.seconds,
        v.cpuUsPerJob,
        v.failed,
        v.peakRssMiB,
      ]),
    );
    console.log(`ratios: ${JSON.stringify(r.worker.ratios)}`);
  }
  if (r.memory) {
    const m = r.memory;
    console.log(
      `\nRedis bytes per waiting job: ${fmt(m.redisBytesPerWaitingJob)}; per inbox entry: ${fmt(m.redisBytesPerInboxEntry)}`,
    );
    console.log(
      `soak ${m.soak.seconds} s at ${m.soak.rate} req/s${m.soak.nice ? ` (its apps at nice ${m.soak.nice})` : ''}${m.soakAlongside?.length ? `, with the ${m.soakAlongside.join(' and ')} parts alongside` : ''} (${m.soak.acked} acked, ${m.soak.errors} errors, ack p99 ${m.soak.ackP99} ms): ` +
        `ingress ${m.soak.ingressMiBPerMin} MiB/min, worker ${m.soak.workerMiBPerMin} MiB/min (second half); ` +
        `RSS ingress ${m.soak.samples.at(0)?.ingressMiB}→${m.soak.samples.at(-1)?.ingressMiB} MiB, worker ${m.soak.samples.at(0)?.workerMiB}→${m.soak.samples.at(-1)?.workerMiB} MiB`,
    );
    const e = m.soak.endToEnd;
    console.log(
      `end to end in the soak's quiet window: received → applied p50 ${e.p50} ms, p99 ${e.p99} ms, max ${e.max} ms; ` +
        `→ job completed p50 ${e.completedP50} ms, p99 ${e.completedP99} ms, max ${e.completedMax} ms (${e.applied} applied)`,
    );
  }
  if (r.scaling) {
    const { ingress, worker } = r.scaling;
    console.log(`\ningress processes: 1 → ${fmt(ingress.oneProcess)} req/s, 2 → ${fmt(ingress.twoProcesses)} req/s`);
    console.log(
      `postgres sink, worker processes: 1 → ${fmt(worker.oneProcess.jobsPerSecond)} jobs/s, 2 → ${fmt(worker.twoProcesses.jobsPerSecond)} jobs/s`,
    );
  }
  if (r.targets?.length) {
    table(
      'targets (figures from this run, each against its baseline in the same rounds)',
      ['target', 'figure', 'unit', 'status'],
      r.targets.map((t) => [t.name, t.value, t.unit, t.met ? 'met' : 'NOT MET']),
    );
  }
}
