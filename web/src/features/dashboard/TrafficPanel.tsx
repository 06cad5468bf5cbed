import { TrafficChart, type TrafficChartPoint } from '../../components/charts';
import { ErrorState, Loading } from '../../components/StateViews';
import { Card, Stat } from '../../components/ui';
import { formatBps, formatCount, toMillis } from '../../lib/format';
import { useAggregateHistory, useTraffic } from '../../live/LiveTrafficProvider';

/** Joins the server's history with the points this page computed since it opened. */
export function mergeTrafficPoints(
  history: readonly { time: string; upBps: number; downBps: number; upBpsAvg5m: number; downBpsAvg5m: number }[],
  live: readonly TrafficChartPoint[],
): TrafficChartPoint[] {
  const past: TrafficChartPoint[] = history.map((p) => ({
    time: toMillis(p.time) ?? 0,
    upBps: p.upBps,
    downBps: p.downBps,
    upAvg5m: p.upBpsAvg5m,
    downAvg5m: p.downBpsAvg5m,
  }));
  const lastPast = past.at(-1)?.time ?? -Infinity;
  return [...past, ...live.filter((p) => p.time > lastPast)];
}

/** Aggregate traffic through every BNG: now, the five-minute rolling average, and the chart of both. */
export function TrafficPanel({ sessionCount }: { sessionCount: number | undefined }) {
  const traffic = useTraffic();
  const history = useAggregateHistory();
  const now = traffic.clock;
  const current = traffic.aggregateNow(now);
  const average = traffic.aggregateAverage(now);
  const liveAverage = history.data !== undefined || traffic.reportCount > 0;

  return (
    <>
      <div className="stats-row">
        <Stat label="Active sessions" value={sessionCount === undefined ? '…' : formatCount(sessionCount)} testId="stat-sessions" />
        <Stat
          label="Download, 5 min avg"
          value={<span className="down">{liveAverage ? formatBps(average.downBps) : '…'}</span>}
          hint={traffic.isWarm(now) ? `now ${formatBps(current.downBps)}` : 'now: waiting for reports'}
          testId="stat-down"
        />
        <Stat
          label="Upload, 5 min avg"
          value={<span className="up">{liveAverage ? formatBps(average.upBps) : '…'}</span>}
          hint={traffic.isWarm(now) ? `now ${formatBps(current.upBps)}` : 'now: waiting for reports'}
          testId="stat-up"
        />
        <Stat label="Counter reports" value={formatCount(traffic.reportCount)} hint={`${formatCount(traffic.trackedSessions)} sessions tracked`} />
      </div>
      <Card title="Aggregate traffic" actions={<span className="muted small">last 30 min · dashed: 5-minute rolling average</span>}>
        {history.data ? (
          <TrafficChart points={mergeTrafficPoints(history.data.trafficSeries, traffic.series)} />
        ) : history.error ? (
          <ErrorState error={history.error} onRetry={() => void history.refetch()} />
        ) : (
          <Loading label="Loading traffic…" />
        )}
      </Card>
    </>
  );
}
