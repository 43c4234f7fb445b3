import { type Stack, writeResults } from '@openim-sync/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { LONG_OUTAGE_MS, runLongOutage } from './long-outage.js';

describe('the App answers 503 for longer than the old two-minute retry horizon', () => {
  let stack: Stack | undefined;
  afterAll(() => stack?.close());

  it('every event is delivered afterwards, none fails, and the App is spared meanwhile', {
    timeout: 600_000,
  }, async () => {
    let downIndex = 0;
    let upIndex = 0;
    const result = await runLongOutage(
      { label: 'long_app' },
      {
        down(s) {
          downIndex = s.receiver.deliveries.length;
          s.receiver.answer = () => 503;
        },
        up(s) {
          upIndex = s.receiver.deliveries.length;
          s.receiver.answer = () => 200;
        },
        flowing: async (s) => s.receiver.deliveries.slice(upIndex).some((d) => d.status === 200),
      },
      (s) => {
        stack = s;
      },
    );
    const deliveries = stack?.receiver.deliveries ?? [];
    const duringOutage = deliveries.slice(downIndex, upIndex);
    const answered503 = deliveries.filter((d) => d.status === 503).length;
    expect(answered503, 'requests answered 503').toBeGreaterThan(0);
    // Without the circuit breaker every callback acknowledged meanwhile (~2,000) is tried at least once.
    expect(duringOutage.length, `requests the App got in ${LONG_OUTAGE_MS / 1000} s of outage`).toBeLessThanOrEqual(
      100,
    );
    writeResults('long-outage-app', {
      ...result,
      appRequestsDuringOutage: duringOutage.length,
      appAnswered503: answered503,
    });
  });
});
