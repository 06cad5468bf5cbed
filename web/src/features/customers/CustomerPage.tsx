import { useQueries } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { Empty, QueryView } from '../../components/StateViews';
import { Badge, Card, stateTone } from '../../components/ui';
import { queryKey, useApi, useGraphQLQuery, useGraphQLSubscription, useThrottledInvalidate } from '../../graphql/hooks';
import { graphqlRequest } from '../../graphql/request';
import type { LiveEvent } from '../../graphql/types';
import { formatBps, formatBytes, formatDuration, formatKbps, formatMac, formatTimestamp, toMillis } from '../../lib/format';
import { useTraffic } from '../../live/LiveTrafficProvider';
import { SessionEventsSubscription } from '../../live/operations';
import { RadiusProfileTables } from '../provisioning/RadiusTab';
import { DisconnectButton } from '../sessions/DisconnectButton';
import { SessionTrafficChart } from '../sessions/SessionTrafficChart';
import { CustomerDetailQuery, SessionEventsQuery, type CustomerDetailData } from './operations';
import { radiusSyncState, radiusSyncText } from './radiusSync';
import { buildTimeline, type TimelineKind } from './timeline';

const kindTone: Record<TimelineKind, 'ok' | 'warn' | 'info' | 'muted' | 'bad'> = {
  customer: 'info',
  service: 'info',
  online: 'ok',
  offline: 'warn',
  policy: 'info',
  relay: 'muted',
  event: 'muted',
};

/** One customer: contact, services with their RADIUS state, live sessions, and the activity timeline. */
export function CustomerPage() {
  const { id = '' } = useParams();
  const query = useGraphQLQuery(CustomerDetailQuery, { id });
  return (
    <div className="page" data-testid="customer-page">
      <QueryView query={query} loadingLabel="Loading customer…" isEmpty={(d) => d.customer === null} empty={<Empty title="There is no such customer.">It may have been deleted.</Empty>}>
        {(data) => <CustomerView data={data} fetchedAt={query.dataUpdatedAt} />}
      </QueryView>
    </div>
  );
}

function CustomerView({ data, fetchedAt }: { data: CustomerDetailData; fetchedAt: number }) {
  const customer = data.customer;
  const { apiKey } = useApi();
  const traffic = useTraffic();
  const usernames = new Set(customer?.services.map((s) => s.username).filter((u) => u !== null));
  const sessionIds = new Set(customer?.sessions.map((s) => s.id));
  const refetch = useThrottledInvalidate([CustomerDetailQuery, SessionEventsQuery], 1000);
  useGraphQLSubscription(SessionEventsSubscription, { types: ['SESSION_START', 'SESSION_STOP', 'POLICY_APPLY'] }, ({ sessionEvents: e }) => {
    if ((e.sessionId && sessionIds.has(e.sessionId)) || (e.session?.username && usernames.has(e.session.username))) refetch();
  });
  const eventQueries = useQueries({
    queries: (customer?.sessions ?? []).map((s) => ({
      queryKey: queryKey(SessionEventsQuery, { sessionId: s.id }),
      queryFn: ({ signal }: { signal: AbortSignal }) => graphqlRequest(SessionEventsQuery, { sessionId: s.id }, { apiKey, signal }),
    })),
  });
  if (!customer) return null;
  const events: LiveEvent[] = eventQueries.flatMap((q) => q.data?.events.nodes ?? []);
  const timeline = buildTimeline(data, events);
  const now = traffic.clock;

  return (
    <>
      <header className="page-header">
        <h1>{customer.name}</h1>
        <div className="page-actions">
          <Link className="btn btn-small" to={`/provisioning/services?customerId=${customer.id}&new=1`}>
            Add service
          </Link>
          <Link className="btn btn-small" to={`/?customerId=${customer.id}`}>
            Sessions on the dashboard
          </Link>
        </div>
      </header>
      <div className="grid-2">
        <Card title="Contact">
          <dl className="kv">
            <dt>Email</dt>
            <dd>{customer.email}</dd>
            <dt>Phone</dt>
            <dd>{customer.phone ?? '—'}</dd>
            <dt>Address</dt>
            <dd>{customer.address ?? '—'}</dd>
            <dt>Customer since</dt>
            <dd>{formatTimestamp(customer.createdAt)}</dd>
          </dl>
        </Card>
        <Card title="Services">
          {customer.services.length === 0 ? (
            <Empty title="No service.">Add one to let the subscriber in.</Empty>
          ) : (
            <ul className="service-list">
              {customer.services.map((s) => {
                const radius = radiusSyncState(s, customer.radiusProfile);
                return (
                  <li key={s.id}>
                    <div>
                      <strong>{s.plan.name}</strong> <Badge tone={stateTone(s.status)}>{s.status}</Badge>{' '}
                      <Badge tone={radius === 'synced' || radius === 'removed' ? 'ok' : 'bad'}>{radiusSyncText[radius]}</Badge>
                    </div>
                    <div className="mono small">{s.username ?? '—'}</div>
                    <div className="muted small">
                      {formatKbps(s.plan.downloadKbps)} down / {formatKbps(s.plan.uploadKbps)} up
                      {s.session ? ` · online as ${s.session.ip}` : ' · offline'}
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
        </Card>
      </div>
      <Card title="Live sessions">
        {customer.sessions.length === 0 ? (
          <Empty title="Offline.">None of this customer's subscribers has a session now.</Empty>
        ) : (
          customer.sessions.map((s) => {
            const avg = traffic.sessionAverage(s.id, now, { rate: s.traffic, at: fetchedAt });
            return (
              <div key={s.id} className="session-block" data-session-id={s.id}>
                <div className="session-head">
                  <Badge tone={stateTone(s.state)}>{s.state}</Badge> <span className="mono">{s.ip}</span> <span className="mono muted">{formatMac(s.mac)}</span>
                  <span className="muted">
                    {' '}
                    on {s.bngId} · {s.circuitId} / {s.remoteId} · online for {formatDuration((now - (toMillis(s.started) ?? now)) / 1000)}
                  </span>
                </div>
                <div className="session-figures">
                  <span>
                    Plan {formatKbps(s.downloadKbps)} ↓ {formatKbps(s.uploadKbps)} ↑
                  </span>
                  <span>
                    5 min <span className="down">{formatBps(avg.downBps)}</span> / <span className="up">{formatBps(avg.upBps)}</span>
                  </span>
                  <span>
                    Total {formatBytes(s.bytesDown)} ↓ {formatBytes(s.bytesUp)} ↑
                  </span>
                  <DisconnectButton sessionId={s.id} />
                </div>
                <SessionTrafficChart sessionId={s.id} height={140} />
              </div>
            );
          })
        )}
      </Card>
      <div className="grid-2">
        <Card title="Activity">
          {timeline.length === 0 ? (
            <Empty title="No activity yet." />
          ) : (
            <ol className="timeline" data-testid="timeline">
              {timeline.slice(0, 100).map((item) => (
                <li key={item.key} className={`timeline-item timeline-${item.kind}`}>
                  <span className="timeline-time">{formatTimestamp(item.time)}</span>
                  <Badge tone={kindTone[item.kind]}>{item.kind}</Badge>
                  <span className="timeline-title">{item.title}</span>
                  <span className="muted small">{item.detail}</span>
                </li>
              ))}
            </ol>
          )}
        </Card>
        <Card title="RADIUS profile">
          <RadiusProfileTables profile={customer.radiusProfile} />
        </Card>
      </div>
      <Card title={`Past sessions (${data.sessionHistory.totalCount})`}>
        {data.sessionHistory.nodes.length === 0 ? (
          <Empty title="No finished session." />
        ) : (
          <div className="table-scroll">
            <table className="table">
              <thead>
                <tr>
                  <th>IP</th>
                  <th>MAC</th>
                  <th>BNG</th>
                  <th>Started</th>
                  <th>Duration</th>
                  <th>Down</th>
                  <th>Up</th>
                  <th>Cause</th>
                </tr>
              </thead>
              <tbody>
                {data.sessionHistory.nodes.map((h) => (
                  <tr key={h.id}>
                    <td className="mono">{h.ip}</td>
                    <td className="mono">{formatMac(h.mac)}</td>
                    <td>{h.bngId}</td>
                    <td className="nowrap">{formatTimestamp(h.started)}</td>
                    <td>{formatDuration(((toMillis(h.stopped) ?? 0) - (toMillis(h.started) ?? 0)) / 1000)}</td>
                    <td>{formatBytes(h.bytesDown)}</td>
                    <td>{formatBytes(h.bytesUp)}</td>
                    <td>{h.cause ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
