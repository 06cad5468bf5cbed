import { useState } from 'react';
import { TrafficChart } from '../../components/charts';
import { QueryView } from '../../components/StateViews';
import { useGraphQLQuery } from '../../graphql/hooks';
import { toMillis } from '../../lib/format';
import { SessionTrafficQuery } from './operations';

/** The last 30 minutes of one session's traffic, in one-minute buckets with the 5-minute rolling average. */
export function SessionTrafficChart({ sessionId, height = 160 }: { sessionId: string; height?: number }) {
  const [from] = useState(() => new Date(Date.now() - 30 * 60 * 1000).toISOString());
  const query = useGraphQLQuery(SessionTrafficQuery, { sessionId, from, stepSeconds: 60 }, { refetchInterval: 60_000 });
  return (
    <QueryView query={query} loadingLabel="Loading traffic…" isEmpty={(d) => d.trafficSeries.every((p) => p.downBps === 0 && p.upBps === 0)} empty={<div className="muted small chart-placeholder">No traffic in the last 30 minutes.</div>}>
      {(data) => (
        <TrafficChart
          height={height}
          points={data.trafficSeries.map((p) => ({
            time: toMillis(p.time) ?? 0,
            downBps: p.downBps,
            upBps: p.upBps,
            downAvg5m: p.downBpsAvg5m,
            upAvg5m: p.upBpsAvg5m,
          }))}
        />
      )}
    </QueryView>
  );
}
