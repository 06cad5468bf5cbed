import { useSearchParams } from 'react-router-dom';
import { Card, Tabs } from '../../components/ui';
import { useGraphQLQuery, useGraphQLSubscription, useThrottledInvalidate } from '../../graphql/hooks';
import { SessionEventsSubscription } from '../../live/operations';
import { BngHealthCards, useBngHealth } from './BngHealthCards';
import { EventsTab } from './EventsTab';
import { HistoryTab } from './HistoryTab';
import { SessionCountQuery } from './operations';
import { SessionsTable } from './SessionsTable';
import { TrafficPanel } from './TrafficPanel';

const tabs = [
  { id: 'sessions', label: 'Active sessions' },
  { id: 'history', label: 'Session history' },
  { id: 'events', label: 'Events' },
] as const;

/** The OSS dashboard: aggregate traffic, BNG health, and the sessions, history and events tabs, all live. */
export function DashboardPage() {
  const [params, setParams] = useSearchParams();
  const tab = tabs.some((t) => t.id === params.get('tab')) ? (params.get('tab') ?? 'sessions') : 'sessions';
  const count = useGraphQLQuery(SessionCountQuery, {});
  const refetchCount = useThrottledInvalidate([SessionCountQuery], 1000);
  useGraphQLSubscription(SessionEventsSubscription, { types: ['SESSION_START', 'SESSION_STOP'] }, () => refetchCount());
  const bngs = useBngHealth();
  const bngIds = (bngs.data?.bngs.map((b) => b.id) ?? []).sort();

  return (
    <div className="page" data-testid="dashboard">
      <header className="page-header">
        <h1>Network operations</h1>
      </header>
      <TrafficPanel sessionCount={count.data?.sessions.totalCount} />
      <Card title="BNG health">
        <BngHealthCards query={bngs} />
      </Card>
      <Card>
        <Tabs
          label="Session views"
          tabs={tabs}
          active={tab}
          onChange={(id) => {
            const next = new URLSearchParams();
            if (id !== 'sessions') next.set('tab', id);
            setParams(next);
          }}
        />
        {tab === 'sessions' ? <SessionsTable bngIds={bngIds} /> : tab === 'history' ? <HistoryTab bngIds={bngIds} /> : <EventsTab bngIds={bngIds} />}
      </Card>
    </div>
  );
}
