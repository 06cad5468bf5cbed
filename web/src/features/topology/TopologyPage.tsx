import { useQueries } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { Empty, ErrorState, Loading } from '../../components/StateViews';
import { Card } from '../../components/ui';
import { queryKey, useApi, useGraphQLQuery, useGraphQLSubscription, useThrottledInvalidate } from '../../graphql/hooks';
import { graphqlRequest } from '../../graphql/request';
import { formatBps, formatCount, formatKbps, formatPercent } from '../../lib/format';
import { useTraffic } from '../../live/LiveTrafficProvider';
import { BngHealthSubscription, SessionEventsSubscription } from '../../live/operations';
import { layoutTopology, WIDTH, type TopologyLayout } from './layout';
import { sessionsPerBng, TopologyQuery, TopologySessionsQuery, type TopologyData } from './operations';

/** BNGs, the access relays behind them and the subscribers behind those, redrawn as sessions come and go. */
export function TopologyPage() {
  const { apiKey } = useApi();
  const network = useGraphQLQuery(TopologyQuery, {});
  const bngIds = [...new Set([...(network.data?.bngs.map((b) => b.id) ?? []), ...(network.data?.agents.map((a) => a.bngId) ?? [])])].sort();
  const first = sessionsPerBng(bngIds.length);
  // Each BNG gets its share of the subscribers drawn, so a big one does not crowd the others out.
  const sessions = useQueries({
    queries: bngIds.map((bngId) => ({
      queryKey: queryKey(TopologySessionsQuery, { bngId, first }),
      queryFn: ({ signal }: { signal: AbortSignal }) => graphqlRequest(TopologySessionsQuery, { bngId, first }, { apiKey, signal }),
    })),
  });
  const refetch = useThrottledInvalidate([TopologyQuery, TopologySessionsQuery], 1500);
  const refetchHealth = useThrottledInvalidate([TopologyQuery], 15_000);
  useGraphQLSubscription(SessionEventsSubscription, { types: ['SESSION_START', 'SESSION_STOP', 'ROUTER_UPDATE'] }, () => refetch());
  useGraphQLSubscription(BngHealthSubscription, {}, () => refetchHealth());

  const net = network.data;
  const failed = network.error ?? sessions.find((q) => q.error && !q.data)?.error;
  let body;
  if (failed && (!net || sessions.every((q) => !q.data))) {
    body = <ErrorState error={failed} onRetry={() => refetch()} />;
  } else if (!net || sessions.some((q) => !q.data && !q.error)) {
    body = <Loading label="Loading topology…" />;
  } else {
    const data: TopologyData = {
      ...net,
      sessions: {
        totalCount: sessions.reduce((n, q) => n + (q.data?.sessions.totalCount ?? 0), 0),
        nodes: sessions.flatMap((q) => q.data?.sessions.nodes ?? []),
      },
      truncated: new Set(bngIds.filter((_, i) => (sessions[i]?.data?.sessions.totalCount ?? 0) > (sessions[i]?.data?.sessions.nodes.length ?? 0))),
    };
    body =
      data.bngs.length === 0 && data.agents.length === 0 && data.sessions.nodes.length === 0 ? (
        <Empty title="Nothing to draw yet.">BNGs appear when their agents connect; relays and subscribers when sessions start.</Empty>
      ) : (
        <TopologyCard data={data} />
      );
  }

  return (
    <div className="page" data-testid="topology">
      <header className="page-header">
        <h1>Topology</h1>
      </header>
      {body}
    </div>
  );
}

function TopologyCard({ data }: { data: TopologyData }) {
  const layout = layoutTopology(data);
  const drawn = data.sessions.nodes.length;
  return (
    <Card
      title="Access network"
      actions={
        <span className="muted small">
          {layout.bngs.length} BNGs · {layout.relays.length} relays · {formatCount(data.sessions.totalCount)} subscribers
          {data.sessions.totalCount > drawn ? ` (${formatCount(drawn)} drawn)` : ''}
        </span>
      }
    >
      <TopologyDrawing layout={layout} />
      <div className="legend small muted">
        <span className="legend-dot legend-active" /> subscriber moving traffic <span className="legend-dot legend-idle" /> idle subscriber
        <span className="legend-dot legend-stopped" /> stopping
      </div>
    </Card>
  );
}

function TopologyDrawing({ layout }: { layout: TopologyLayout }) {
  const navigate = useNavigate();
  const traffic = useTraffic();
  const now = traffic.clock;
  return (
    <div className="topology-scroll">
      <svg className="topology" viewBox={`0 0 ${WIDTH} ${layout.height}`} width="100%" role="img" aria-label="Network topology">
        {layout.edges.map((e, i) => (
          <path
            key={i}
            className={`edge edge-${e.kind}`}
            d={`M${e.from.x},${e.from.y} C${(e.from.x + e.to.x) / 2},${e.from.y} ${(e.from.x + e.to.x) / 2},${e.to.y} ${e.to.x},${e.to.y}`}
          />
        ))}
        {layout.bngs.map((b) => (
          <g key={b.id} className={b.connected ? 'node node-bng' : 'node node-bng node-down'} data-bng={b.id}>
            <rect x={b.x} y={b.y} width={b.w} height={b.h} rx={8} />
            <text x={b.x + 12} y={b.y + 24} className="node-title">
              {b.id}
            </text>
            <text x={b.x + 12} y={b.y + 44} className="node-text">
              {b.connected ? 'agent connected' : 'no agent'} · {formatCount(b.sessions)} sessions
            </text>
            <text x={b.x + 12} y={b.y + 62} className="node-text">
              CPU {b.cpuPercent === null ? '—' : formatPercent(b.cpuPercent)} · mem {b.memoryPercent === null ? '—' : formatPercent(b.memoryPercent)}
            </text>
            <rect x={b.x + 12} y={b.y + 74} width={b.w - 24} height={6} rx={3} className="bar-bg" />
            <rect x={b.x + 12} y={b.y + 74} width={((b.w - 24) * Math.min(100, b.cpuPercent ?? 0)) / 100} height={6} rx={3} className="bar-cpu" />
          </g>
        ))}
        {layout.relays.map((r) => (
          <g key={r.key} className={`node node-relay node-relay-${r.state.toLowerCase()}`}>
            <rect x={r.x} y={r.y} width={r.w} height={r.h} rx={6} />
            <text x={r.x + 10} y={r.y + 22} className="node-title">
              {r.id}
            </text>
            <text x={r.x + 10} y={r.y + 40} className="node-text">
              {r.state.toLowerCase()} {r.giaddr ? `· ${r.giaddr}` : ''} · {r.subscribers}
              {r.partial ? '+' : ''} subs
            </text>
          </g>
        ))}
        {layout.dots.map((d) => {
          const rate = traffic.sessionNow(d.session.id, now);
          const active = rate.downBps + rate.upBps > 0;
          const cls = d.session.state !== 'ACTIVE' ? 'dot dot-stopped' : active ? 'dot dot-active' : 'dot dot-idle';
          const target = d.session.customer ? `/customers/${d.session.customer.id}` : null;
          return (
            <circle
              key={d.session.id}
              className={cls}
              cx={d.x}
              cy={d.y}
              r={7}
              data-session-id={d.session.id}
              onClick={target ? () => void navigate(target) : undefined}
              style={target ? { cursor: 'pointer' } : undefined}
            >
              <title>
                {`${d.session.customer?.name ?? 'unknown customer'}\n${d.session.ip} on ${d.session.circuitId}\nplan ${formatKbps(d.session.downloadKbps)} · now ${formatBps(rate.downBps)} down`}
              </title>
            </circle>
          );
        })}
        {layout.more.map((m) => (
          <text key={m.relayKey} x={m.x} y={m.y} className="node-text">
            +{m.count} more
          </text>
        ))}
      </svg>
    </div>
  );
}
