import { useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useState } from 'react';
import { HealthChart } from '../../components/charts';
import { Empty, QueryView } from '../../components/StateViews';
import { Badge, Card } from '../../components/ui';
import { queryKey, useGraphQLQuery, useGraphQLSubscription } from '../../graphql/hooks';
import type { BngHealthSample } from '../../graphql/types';
import { formatAgo, formatCount, formatMemory, formatPercent, toMillis } from '../../lib/format';
import { useClock } from '../../live/LiveTrafficProvider';
import { BngHealthSubscription, type BngHealthReport } from '../../live/operations';
import { BngHealthCardsQuery, type AgentRow, type BngCard } from './operations';

/** How much health history a card draws. */
export const HEALTH_WINDOW_MS = 15 * 60 * 1000;

/** A BNG is shown as stale when it has not reported for this long (agents report every few seconds). */
export const STALE_AFTER_MS = 60_000;

interface Data {
  bngs: BngCard[];
  agents: AgentRow[];
}

/** Folds a live health report into the cached cards: latest health and one more point on the graph. */
export function applyHealthReport(data: Data, report: BngHealthReport, now: number): Data {
  const sample: BngHealthSample = {
    time: report.time,
    cpuPercent: report.cpuPercent,
    memoryBytes: report.memoryBytes,
    memoryLimitBytes: report.memoryLimitBytes,
    sessionCount: report.sessionCount,
  };
  const from = now - HEALTH_WINDOW_MS;
  const found = data.bngs.some((b) => b.id === report.bngId);
  const bngs = data.bngs.map((bng) => {
    if (bng.id !== report.bngId) return bng;
    const series = [...bng.healthSeries.filter((s) => (toMillis(s.time) ?? 0) >= from && s.time !== report.time), sample].sort(
      (a, b) => (toMillis(a.time) ?? 0) - (toMillis(b.time) ?? 0),
    );
    return { ...bng, instanceId: report.instanceId, lastSeen: report.time, health: sample, healthSeries: series, activeSessions: report.sessionCount };
  });
  if (!found) {
    bngs.push({
      id: report.bngId,
      instanceId: report.instanceId,
      firstSeen: report.time,
      lastSeen: report.time,
      activeSessions: report.sessionCount,
      health: sample,
      healthSeries: [sample],
      accessRouters: [],
    });
  }
  return { ...data, bngs };
}

/** The BNG cards' query, kept current by the bngHealth subscription. Call once per page. */
export function useBngHealth() {
  const [from] = useState(() => new Date(Date.now() - HEALTH_WINDOW_MS).toISOString());
  const query = useGraphQLQuery(BngHealthCardsQuery, { from }, { staleTime: Infinity });
  const queryClient = useQueryClient();
  useGraphQLSubscription(BngHealthSubscription, {}, ({ bngHealth }) => {
    queryClient.setQueryData<Data>(queryKey(BngHealthCardsQuery, { from }), (data) => (data ? applyHealthReport(data, bngHealth, Date.now()) : data));
  });
  return query;
}

export function BngHealthCards({ query }: { query: UseQueryResult<Data> }) {
  return (
    <QueryView
      query={query}
      loadingLabel="Loading BNGs…"
      isEmpty={(d) => d.bngs.length === 0 && d.agents.length === 0}
      empty={<Empty title="No BNG has reported yet.">Start an agent; its card appears with its first health report.</Empty>}
    >
      {(data) => (
        <div className="bng-grid">
          {[...data.bngs]
            .sort((a, b) => a.id.localeCompare(b.id))
            .map((bng) => (
              <BngHealthCard key={bng.id} bng={bng} agent={data.agents.find((a) => a.bngId === bng.id)} />
            ))}
        </div>
      )}
    </QueryView>
  );
}

function BngHealthCard({ bng, agent }: { bng: BngCard; agent: AgentRow | undefined }) {
  const now = useClock();
  const h = bng.health;
  const stale = now - (toMillis(bng.lastSeen) ?? 0) > STALE_AFTER_MS;
  const memoryPercent = h && h.memoryLimitBytes > 0 ? (h.memoryBytes / h.memoryLimitBytes) * 100 : 0;
  const points = bng.healthSeries.map((s) => ({
    time: toMillis(s.time) ?? 0,
    cpuPercent: s.cpuPercent,
    memoryBytes: s.memoryBytes,
    memoryPercent: s.memoryLimitBytes > 0 ? (s.memoryBytes / s.memoryLimitBytes) * 100 : 0,
  }));
  return (
    <Card
      className="bng-card"
      testId={`bng-${bng.id}`}
      title={bng.id}
      actions={
        agent ? (
          <Badge tone={stale ? 'warn' : 'ok'} title={`connected from ${agent.peer}`}>
            {stale ? 'stale' : 'connected'}
          </Badge>
        ) : (
          <Badge tone="bad">no agent</Badge>
        )
      }
    >
      <div className="bng-stats">
        <div>
          <div className="stat-label">CPU</div>
          <div className="stat-value small-value cpu">{h ? formatPercent(h.cpuPercent) : '—'}</div>
        </div>
        <div>
          <div className="stat-label">Memory</div>
          <div className="stat-value small-value mem">{h ? formatMemory(h.memoryBytes) : '—'}</div>
          <div className="stat-hint">{h ? `${formatPercent(memoryPercent)} of ${formatMemory(h.memoryLimitBytes)}` : ''}</div>
        </div>
        <div>
          <div className="stat-label">Sessions</div>
          <div className="stat-value small-value">{formatCount(bng.activeSessions)}</div>
          <div className="stat-hint">{bng.accessRouters.length} relays</div>
        </div>
      </div>
      {points.length > 1 ? <HealthChart points={points} /> : <div className="muted small chart-placeholder">Waiting for health reports…</div>}
      <div className="muted small">
        instance {bng.instanceId} · last report {formatAgo(bng.lastSeen, now)}
      </div>
    </Card>
  );
}
