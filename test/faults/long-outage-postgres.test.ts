import { type Stack, startTcpProxy, type TcpProxy, testServices, writeResults } from '@openim-sync/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { LONG_OUTAGE_MS, runLongOutage } from './long-outage.js';

describe('Postgres unreachable for longer than the old two-minute retry horizon', () => {
  let stack: Stack | undefined;
  let proxy: TcpProxy | undefined;
  afterAll(async () => {
    await stack?.close();
    await proxy?.close();
  });

  it('every event is applied afterwards, none fails, and Postgres is spared meanwhile', {
    timeout: 600_000,
  }, async () => {
    const p = await startTcpProxy(testServices().databaseUrl);
    proxy = p;
    const applied = async (s: Stack) =>
      Number((await s.schema.rows<{ n: string }>('SELECT count(*) AS n FROM $schema.applied_events'))[0]?.n);
    let cutAtDown = 0;
    let cutAtUp = 0;
    let appliedAtUp = 0;
    const result = await runLongOutage(
      { label: 'long_pg', workerDatabaseUrl: p.url },
      {
        down() {
          p.down();
          cutAtDown = p.cut;
        },
        async up(s) {
          // Nothing reaches Postgres through the proxy while it is down: this is the count at the outage's end.
          appliedAtUp = await applied(s);
          cutAtUp = p.cut;
          p.up();
        },
        flowing: async (s) => (await applied(s)) > appliedAtUp,
      },
      (s) => {
        stack = s;
      },
    );
    const refused = cutAtUp - cutAtDown;
    expect(refused, 'connections refused during the outage').toBeGreaterThan(0);
    // Without the circuit breaker every attempt of every job (~2,000 new ones) opens a connection.
    expect(refused, `connections tried in ${LONG_OUTAGE_MS / 1000} s of outage`).toBeLessThanOrEqual(200);
    writeResults('long-outage-postgres', {
      ...result,
      connectionsCutAtDown: cutAtDown,
      connectionsRefusedDuringOutage: refused,
    });
  });
});
