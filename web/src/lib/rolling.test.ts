import { describe, expect, it } from 'vitest';
import { FIVE_MINUTES_MS, RollingRate, SeriesBuffer, seededAverage, windowAverage } from './rolling';

const s = 1000;

describe('RollingRate', () => {
  it('has no rate before two samples', () => {
    const r = new RollingRate();
    expect(r.rate('a', 0)).toEqual({ upBps: 0, downBps: 0 });
    r.add('a', 0, 0, 0);
    expect(r.rate('a', 10 * s)).toEqual({ upBps: 0, downBps: 0 });
  });

  it('averages a young session over its life, not the whole window', () => {
    const r = new RollingRate();
    r.add('a', 0, 0, 0);
    r.add('a', 10 * s, 1000, 10_000); // 10 s: 800 bit/s up, 8 kbit/s down
    expect(r.rate('a', 10 * s)).toEqual({ upBps: 800, downBps: 8000 });
  });

  it('decays while a session is silent, as the window moves on', () => {
    const r = new RollingRate();
    r.add('a', 0, 0, 0);
    r.add('a', 10 * s, 0, 10_000);
    expect(r.rate('a', 20 * s).downBps).toBe(4000);
  });

  it('counts only the share of an interval that lies inside the window', () => {
    const r = new RollingRate(60 * s);
    r.add('a', 0, 0, 0);
    r.add('a', 60 * s, 0, 60_000); // 1000 B/s for a minute
    r.add('a', 90 * s, 0, 60_000); // then silence
    // Window [30 s, 90 s]: half of the first interval (30 kB) over 60 s.
    expect(r.rate('a', 90 * s).downBps).toBeCloseTo((30_000 * 8) / 60);
  });

  it('takes a counter that went backwards as a reset, counting the new value from zero', () => {
    const r = new RollingRate();
    r.add('a', 0, 0, 5000);
    r.add('a', 10 * s, 0, 9000);
    r.add('a', 20 * s, 0, 1000); // reset after an agent restart
    expect(r.bitsBetween('a', 0, 20 * s).downBps).toBe((4000 + 1000) * 8);
  });

  it('ignores samples older than the newest', () => {
    const r = new RollingRate();
    r.add('a', 10 * s, 0, 100);
    r.add('a', 5 * s, 0, 50);
    expect(r.latest('a')).toEqual({ time: 10 * s, bytesUp: 0, bytesDown: 100 });
  });

  it('sums every session into the aggregate', () => {
    const r = new RollingRate();
    r.add('a', 0, 0, 0);
    r.add('a', 10 * s, 0, 1000);
    r.add('b', 0, 0, 0);
    r.add('b', 10 * s, 0, 3000);
    expect(r.total(10 * s).downBps).toBe(3200);
    expect(r.totalBitsBetween(0, 10 * s).downBps).toBe(32_000);
  });

  it('drops sessions that stopped reporting a window ago', () => {
    const r = new RollingRate(FIVE_MINUTES_MS);
    r.add('a', 0, 0, 0);
    r.add('b', 4 * 60 * s, 0, 0);
    r.prune(FIVE_MINUTES_MS + 1);
    expect(r.size).toBe(1);
    expect(r.latest('a')).toBeNull();
  });

  it('keeps memory bounded: one sample before the window and those in it', () => {
    const r = new RollingRate(60 * s);
    for (let t = 0; t <= 600; t += 10) r.add('a', t * s, 0, t * 100);
    expect(r.bitsBetween('a', 0, 540 * s).downBps).toBe(0);
    expect(r.rate('a', 600 * s).downBps).toBeCloseTo(800); // 100 B/s
  });

  it('rejects an empty window', () => {
    expect(() => new RollingRate(0)).toThrow(RangeError);
  });
});

describe('seededAverage', () => {
  const seed = { upBps: 1000, downBps: 10_000 };
  it('is the seed at the moment it was taken', () => {
    expect(seededAverage(seed, 0, { upBps: 0, downBps: 0 }, 0)).toEqual(seed);
  });

  it('blends the seed with what was seen since, in proportion to time', () => {
    // 150 s after the seed, half the window is the server's figure and half is 150 s of 20 kbit/s.
    const since = { upBps: 0, downBps: 20_000 * 150 };
    expect(seededAverage(seed, 0, since, 150 * s)).toEqual({ upBps: 500, downBps: 15_000 });
  });

  it('forgets the seed once a whole window has passed', () => {
    const since = { upBps: 300 * 8, downBps: 300 * 80 };
    expect(seededAverage(seed, 0, since, 10 * 60 * s)).toEqual({ upBps: 8, downBps: 80 });
  });
});

describe('SeriesBuffer', () => {
  it('keeps the newest points up to its capacity and replaces a point at the same time', () => {
    const b = new SeriesBuffer<{ time: number; v: number }>(3);
    for (const t of [1, 2, 3, 4]) b.push({ time: t, v: t });
    b.push({ time: 4, v: 40 });
    b.push({ time: 2, v: 0 }); // older than the newest: ignored
    expect(b.values).toEqual([
      { time: 2, v: 2 },
      { time: 3, v: 3 },
      { time: 4, v: 40 },
    ]);
    expect(() => new SeriesBuffer(0)).toThrow(RangeError);
  });
});

describe('windowAverage', () => {
  it('averages the points inside the window ending now', () => {
    const points = [
      { time: 0, value: 100 },
      { time: 200 * s, value: 10 },
      { time: 400 * s, value: 30 },
    ];
    expect(windowAverage(points, 400 * s)).toBe(20);
    expect(windowAverage(points, 2000 * s)).toBe(0);
  });
});
