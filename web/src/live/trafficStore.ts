// Live traffic from the trafficUpdated subscription. Each report carries a session's cumulative counters and its
// rate since the previous report. The counters feed a five-minute rolling window (the averages the dashboard shows);
// the latest rate of every session that reported recently is "now". Counters seen in query results (a page of
// sessions) are folded in too, so a session's average has a starting point before its next report arrives.

import { FIVE_MINUTES_MS, RollingRate, SeriesBuffer, seededAverage, type Rate } from '../lib/rolling';

/** A session's last reported rate counts as its rate now for this long; agents report well within it. */
export const REPORT_STALE_MS = 90_000;
/**
 * The live chart starts once reports have come in for this long and some session has reported twice: a whole
 * reporting interval has passed, so "now" has heard from every session rather than the first few to report.
 */
export const WARMUP_MS = 20_000;
export const TICK_MS = 5_000;

export interface LivePoint {
  readonly time: number;
  readonly upBps: number;
  readonly downBps: number;
  readonly upAvg5m: number;
  readonly downAvg5m: number;
}

export interface CounterReport {
  readonly sessionId: string;
  readonly time: number;
  readonly bytesUp: number;
  readonly bytesDown: number;
}

export interface RateReport extends CounterReport {
  /** Rate since the previous report, bit/s; null for a session's first. */
  readonly upBps: number | null;
  readonly downBps: number | null;
  /** The session's final counters: it has stopped. */
  readonly final: boolean;
}

interface LatestRate {
  readonly time: number;
  readonly rate: Rate;
}

export interface Seed {
  readonly rate: Rate;
  readonly at: number;
}

export class TrafficStore {
  private readonly average = new RollingRate(FIVE_MINUTES_MS);
  private readonly latest = new Map<string, LatestRate>();
  private readonly points = new SeriesBuffer<LivePoint>(720);
  private readonly listeners = new Set<() => void>();
  private aggregateSeed: Seed | null = null;
  private firstReportAt: number | null = null;
  /** Sessions heard from since the first report, until one is heard from twice. */
  private heardFrom: Set<string> | null = new Set();
  private version = 0;
  private tickedAt = Date.now();
  private reports = 0;

  /**
   * A counter report from the subscription. Counters are placed on the reporter's clock (report.time), so the
   * intervals between reports are exact; freshness is judged on this browser's clock (receivedAt), so a skew
   * between the two cannot make every report look stale.
   */
  ingest(report: RateReport, receivedAt: number = report.time): void {
    this.firstReportAt ??= receivedAt;
    this.reports++;
    if (this.heardFrom?.has(report.sessionId)) this.heardFrom = null;
    else this.heardFrom?.add(report.sessionId);
    this.observe(report);
    if (report.final) this.latest.delete(report.sessionId);
    else if (report.upBps !== null && report.downBps !== null) {
      this.latest.set(report.sessionId, { time: receivedAt, rate: { upBps: report.upBps, downBps: report.downBps } });
    }
  }

  /** Counters seen elsewhere (a query result): a baseline for later reports, not itself a report. */
  observe(report: CounterReport): void {
    this.average.add(report.sessionId, report.time, report.bytesUp, report.bytesDown);
  }

  /** The server's five-minute aggregate as of a time: the starting point of the live average. */
  seedAggregate(seed: Seed): void {
    if (!this.aggregateSeed || seed.at > this.aggregateSeed.at) this.aggregateSeed = seed;
  }

  /** The sum of every session's latest reported rate. */
  aggregateNow(now: number): Rate {
    let upBps = 0;
    let downBps = 0;
    for (const { time, rate } of this.latest.values()) {
      if (now - time > REPORT_STALE_MS) continue;
      upBps += rate.upBps;
      downBps += rate.downBps;
    }
    return { upBps, downBps };
  }

  /** Whether "now" has had time to hear from most sessions: the chart's live part starts then. */
  isWarm(now: number): boolean {
    return this.firstReportAt !== null && this.heardFrom === null && now - this.firstReportAt >= WARMUP_MS;
  }

  /** Rate over the last five minutes, all sessions. */
  aggregateAverage(now: number): Rate {
    const seed = this.aggregateSeed;
    if (seed && now - seed.at < FIVE_MINUTES_MS) {
      return seededAverage(seed.rate, seed.at, this.average.totalBitsBetween(seed.at, now), now);
    }
    return this.average.total(now);
  }

  /** A session's five-minute average, starting from the server's figure (`seed`) until a window has passed. */
  sessionAverage(sessionId: string, now: number, seed?: Seed): Rate {
    if (seed && now - seed.at < FIVE_MINUTES_MS) {
      return seededAverage(seed.rate, seed.at, this.average.bitsBetween(sessionId, seed.at, now), now);
    }
    return this.average.rate(sessionId, now);
  }

  /** The newest counters reported for a session, if any report is still in the window. */
  latestCounters(sessionId: string): { readonly time: number; readonly bytesUp: number; readonly bytesDown: number } | null {
    return this.average.latest(sessionId);
  }

  /** A session's latest reported rate, or zero when it has not reported lately. */
  sessionNow(sessionId: string, now: number): Rate {
    const latest = this.latest.get(sessionId);
    return latest && now - latest.time <= REPORT_STALE_MS ? latest.rate : { upBps: 0, downBps: 0 };
  }

  /** Adds a point to the live series and tells the listeners. */
  tick(now: number): LivePoint {
    this.average.prune(now);
    for (const [id, { time }] of this.latest) if (now - time > REPORT_STALE_MS) this.latest.delete(id);
    const current = this.aggregateNow(now);
    const avg = this.aggregateAverage(now);
    const point: LivePoint = { time: now, upBps: current.upBps, downBps: current.downBps, upAvg5m: avg.upBps, downAvg5m: avg.downBps };
    if (this.isWarm(now)) this.points.push(point);
    this.tickedAt = now;
    this.version++;
    for (const listener of this.listeners) listener();
    return point;
  }

  /** The time of the last tick: "now" for everything drawn from this store, so a render is repeatable. */
  get clock(): number {
    return this.tickedAt;
  }

  get series(): readonly LivePoint[] {
    return this.points.values;
  }

  get reportCount(): number {
    return this.reports;
  }

  /** When the first report arrived: live points before it say nothing. */
  get liveSince(): number | null {
    return this.firstReportAt;
  }

  get trackedSessions(): number {
    return this.average.size;
  }

  getVersion = (): number => this.version;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}
