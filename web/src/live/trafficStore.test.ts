import { describe, expect, it } from 'vitest';
import { FIVE_MINUTES_MS } from '../lib/rolling';
import { REPORT_STALE_MS, TrafficStore, WARMUP_MS } from './trafficStore';

const s = 1000;
const report = (sessionId: string, time: number, bytesDown: number, downBps: number | null, final = false) => ({
  sessionId,
  time,
  bytesUp: 0,
  bytesDown,
  upBps: downBps === null ? null : 0,
  downBps,
  final,
});

describe('TrafficStore', () => {
  it('sums the latest reported rates into "now" and forgets stale and stopped sessions', () => {
    const store = new TrafficStore();
    store.ingest(report('a', 0, 1000, 800));
    store.ingest(report('b', 0, 1000, 200));
    store.ingest(report('c', 0, 1000, null)); // a first report has no rate yet
    expect(store.aggregateNow(10 * s).downBps).toBe(1000);
    store.ingest(report('b', 5 * s, 2000, 0, true));
    expect(store.aggregateNow(10 * s).downBps).toBe(800);
    expect(store.sessionNow('a', REPORT_STALE_MS + 1).downBps).toBe(0);
  });

  it('starts the five-minute average from the server figure and moves to its own', () => {
    const store = new TrafficStore();
    store.seedAggregate({ rate: { upBps: 0, downBps: 8000 }, at: 0 });
    expect(store.aggregateAverage(0).downBps).toBe(8000);
    store.observe(report('a', 0, 0, null));
    store.ingest(report('a', 150 * s, 150 * 2000, 16_000));
    // Half the window at the server's 8 kbit/s, half at the 16 kbit/s seen since.
    expect(store.aggregateAverage(150 * s).downBps).toBeCloseTo(12_000);
    store.ingest(report('a', FIVE_MINUTES_MS + 10 * s, (300 + 10) * 2000, 16_000));
    expect(store.aggregateAverage(FIVE_MINUTES_MS + 10 * s).downBps).toBeCloseTo(16_000);
  });

  it('gives a session its average from the counters seen in a page and in reports', () => {
    const store = new TrafficStore();
    store.observe(report('a', 0, 10_000, null));
    store.ingest(report('a', 10 * s, 20_000, 8000));
    expect(store.sessionAverage('a', 10 * s).downBps).toBe(8000);
    expect(store.latestCounters('a')).toEqual({ time: 10 * s, bytesUp: 0, bytesDown: 20_000 });
    const seeded = store.sessionAverage('a', 10 * s, { rate: { upBps: 0, downBps: 4000 }, at: 0 });
    expect(seeded.downBps).toBeCloseTo((4000 * 290 + 80_000) / 300);
  });

  it('adds chart points once a whole reporting interval has passed, and tells its listeners', () => {
    const store = new TrafficStore();
    let calls = 0;
    const off = store.subscribe(() => calls++);
    store.tick(0);
    expect(store.series).toHaveLength(0);
    store.ingest(report('a', 1 * s, 0, 1000), 1 * s);
    store.ingest(report('b', 2 * s, 0, 1000), 2 * s);
    store.tick(1 * s + WARMUP_MS);
    expect(store.series).toHaveLength(0); // no session has reported twice: b's interval has not passed
    store.ingest(report('a', 11 * s, 500, 1000), 11 * s);
    store.tick(5 * s);
    expect(store.series).toHaveLength(0); // too early
    store.tick(2 * s + WARMUP_MS);
    expect(store.series).toHaveLength(1);
    expect(store.clock).toBe(2 * s + WARMUP_MS);
    expect(calls).toBe(4);
    expect(store.getVersion()).toBe(4);
    off();
    store.tick(30 * s);
    expect(calls).toBe(4);
    expect(store.reportCount).toBe(3);
  });
});
