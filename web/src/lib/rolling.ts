// Rolling traffic rates from cumulative byte counters. The dashboard shows rates over a five-minute window rather
// than the delta between two reports a few seconds apart, so a subscriber idle for a moment does not read 0 bps.

export const FIVE_MINUTES_MS = 5 * 60 * 1000;

export interface Rate {
  readonly upBps: number;
  readonly downBps: number;
}

interface Sample {
  readonly time: number;
  readonly up: number;
  readonly down: number;
}

const zero: Rate = { upBps: 0, downBps: 0 };

/**
 * Per-key counter samples kept for one window. A key's rate is the bytes it moved since the oldest sample in the
 * window (or the last one before it, so a sparse reporter still spans the window), over the time since then.
 * A counter that goes backwards was reset (the session was re-programmed after an agent restart): its new value
 * counts as traffic from zero.
 */
export class RollingRate {
  private readonly samples = new Map<string, Sample[]>();

  constructor(private readonly windowMs: number = FIVE_MINUTES_MS) {
    if (windowMs <= 0) throw new RangeError('the window must be positive');
  }

  get size(): number {
    return this.samples.size;
  }

  /** Records a key's cumulative counters at a time (ms). Out-of-order samples older than the newest are ignored. */
  add(key: string, time: number, bytesUp: number, bytesDown: number): void {
    let list = this.samples.get(key);
    if (!list) {
      list = [];
      this.samples.set(key, list);
    }
    const last = list.at(-1);
    if (last && time <= last.time) return;
    list.push({ time, up: bytesUp, down: bytesDown });
    this.trim(list, time);
  }

  /** The newest sample of a key: its latest cumulative counters. */
  latest(key: string): { readonly time: number; readonly bytesUp: number; readonly bytesDown: number } | null {
    const last = this.samples.get(key)?.at(-1);
    return last ? { time: last.time, bytesUp: last.up, bytesDown: last.down } : null;
  }

  remove(key: string): void {
    this.samples.delete(key);
  }

  /** Drops keys that have not reported within the window. */
  prune(now: number): void {
    for (const [key, list] of this.samples) {
      const last = list.at(-1);
      if (!last || now - last.time > this.windowMs) this.samples.delete(key);
      else this.trim(list, now);
    }
  }

  /**
   * Bits a key moved between two times. Each interval between consecutive samples counts in proportion to its
   * overlap with [from, to], so a window edge falling between two reports takes only its share.
   */
  bitsBetween(key: string, from: number, to: number): Rate {
    const list = this.samples.get(key);
    if (!list || list.length < 2 || to <= from) return zero;
    let up = 0;
    let down = 0;
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1];
      const b = list[i];
      if (!a || !b || b.time <= from) continue;
      if (a.time >= to) break;
      const span = b.time - a.time;
      const overlap = Math.min(b.time, to) - Math.max(a.time, from);
      const share = span > 0 ? Math.max(0, Math.min(1, overlap / span)) : 1;
      up += delta(a.up, b.up) * 8 * share;
      down += delta(a.down, b.down) * 8 * share;
    }
    return { upBps: up, downBps: down };
  }

  /** The key's mean rate over the window ending at now, or over its life when that is shorter. */
  rate(key: string, now: number): Rate {
    const first = this.samples.get(key)?.[0];
    if (!first) return zero;
    const from = Math.max(first.time, now - this.windowMs);
    const seconds = (now - from) / 1000;
    if (seconds <= 0) return zero;
    const bits = this.bitsBetween(key, from, now);
    return { upBps: bits.upBps / seconds, downBps: bits.downBps / seconds };
  }

  /** The sum of every key's rate: the aggregate traffic through the network. */
  total(now: number): Rate {
    let upBps = 0;
    let downBps = 0;
    for (const key of this.samples.keys()) {
      const r = this.rate(key, now);
      upBps += r.upBps;
      downBps += r.downBps;
    }
    return { upBps, downBps };
  }

  /** Bits every key moved between two times. */
  totalBitsBetween(from: number, to: number): Rate {
    let upBps = 0;
    let downBps = 0;
    for (const key of this.samples.keys()) {
      const b = this.bitsBetween(key, from, to);
      upBps += b.upBps;
      downBps += b.downBps;
    }
    return { upBps, downBps };
  }

  /** Keeps one sample at or before the window's start and everything after it. */
  private trim(list: Sample[], now: number): void {
    const from = now - this.windowMs;
    let drop = 0;
    while (drop + 1 < list.length && (list[drop + 1]?.time ?? Infinity) <= from) drop++;
    if (drop > 0) list.splice(0, drop);
  }
}

/**
 * A rolling average that starts from a known figure: the server's average over the window up to seedAt, followed by
 * what this client saw since. Until a whole window has passed, the part of the window before seedAt is taken at the
 * server's rate; after that the client's own figures are the whole answer.
 */
export function seededAverage(seed: Rate, seedAt: number, bitsSinceSeed: Rate, now: number, windowMs = FIVE_MINUTES_MS): Rate {
  const elapsed = Math.max(0, Math.min(windowMs, now - seedAt));
  const windowSeconds = windowMs / 1000;
  const seedSeconds = (windowMs - elapsed) / 1000;
  return {
    upBps: (seed.upBps * seedSeconds + bitsSinceSeed.upBps) / windowSeconds,
    downBps: (seed.downBps * seedSeconds + bitsSinceSeed.downBps) / windowSeconds,
  };
}

function delta(previous: number, current: number): number {
  return current >= previous ? current - previous : current;
}

/** A fixed-length series of points for a chart, oldest first, that drops the oldest when full. */
export class SeriesBuffer<T extends { readonly time: number }> {
  private points: T[] = [];

  constructor(private readonly capacity: number) {
    if (capacity < 1) throw new RangeError('capacity must be at least 1');
  }

  push(point: T): readonly T[] {
    const last = this.points.at(-1);
    if (last && point.time < last.time) return this.points;
    const next = last && point.time === last.time ? [...this.points.slice(0, -1), point] : [...this.points, point];
    this.points = next.length > this.capacity ? next.slice(next.length - this.capacity) : next;
    return this.points;
  }

  get values(): readonly T[] {
    return this.points;
  }
}

/** The mean of the values whose time lies within the window ending at now. */
export function windowAverage(points: readonly { time: number; value: number }[], now: number, windowMs = FIVE_MINUTES_MS): number {
  let sum = 0;
  let count = 0;
  for (const p of points) {
    if (p.time > now - windowMs && p.time <= now) {
      sum += p.value;
      count++;
    }
  }
  return count === 0 ? 0 : sum / count;
}
