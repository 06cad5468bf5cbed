import { useReducer, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { Empty, ErrorState, Loading } from '../../components/StateViews';
import { Badge, Card, ConfirmButton, stateTone } from '../../components/ui';
import { errorMessage } from '../../graphql/errors';
import { useGraphQLMutation, useGraphQLQuery, useGraphQLSubscription, useThrottledInvalidate } from '../../graphql/hooks';
import { formatCount, formatKbps } from '../../lib/format';
import { currentCursor, firstRowNumber, initialTableState, pageIndex, pagedTableReducer } from '../../lib/tableState';
import { SessionEventsSubscription } from '../../live/operations';
import { ActiveSessionsQuery } from '../dashboard/operations';
import { CustomerDetailQuery } from '../customers/operations';
import { radiusSyncState, radiusSyncText, type RadiusSyncState } from '../customers/radiusSync';
import { DisconnectButton } from '../sessions/DisconnectButton';
import { DeleteServiceMutation, PlansQuery, ServicesQuery, SyncRadiusMutation, UpdateServiceMutation, type ServiceRow } from './operations';
import { ServiceForm } from './ServiceForm';

const syncTone: Record<RadiusSyncState, 'ok' | 'bad' | 'warn' | 'muted'> = { synced: 'ok', missing: 'bad', stale: 'warn', removed: 'muted' };

export function ServicesTab() {
  const [params, setParams] = useSearchParams();
  const customerId = params.get('customerId');
  const [planId, setPlanId] = useState('');
  const [creating, setCreating] = useState(params.get('new') === '1');
  const [state, dispatch] = useReducer(pagedTableReducer, undefined, () => initialTableState({ pageSize: 25 }));
  const query = useGraphQLQuery(
    ServicesQuery,
    { first: state.pageSize, after: currentCursor(state), customerId, planId: planId || null },
    { placeholderData: (p) => p },
  );
  const plans = useGraphQLQuery(PlansQuery, {});
  const refetchSoon = useThrottledInvalidate([ServicesQuery], 750);
  // A subscriber coming online, going away or getting a new rate changes the Session column.
  useGraphQLSubscription(SessionEventsSubscription, { types: ['SESSION_START', 'SESSION_STOP', 'POLICY_APPLY'] }, () => refetchSoon());

  const rows = query.data?.services.nodes;
  const pageInfo = query.data?.services.pageInfo;
  const presetCustomer = customerId && rows?.[0]?.customer.id === customerId ? { id: customerId, name: rows[0].customer.name } : null;

  return (
    <div className="stack">
      <Card
        title="New service"
        actions={
          <button type="button" className="btn btn-small" onClick={() => setCreating(!creating)} aria-expanded={creating}>
            {creating ? 'Close' : 'Add service'}
          </button>
        }
      >
        {creating ? (
          <ServiceForm key={presetCustomer?.id ?? 'any'} customer={presetCustomer} />
        ) : (
          <p className="muted small">A service binds a customer to a plan for one subscriber identity and writes its RADIUS rows.</p>
        )}
      </Card>
      <Card
        title="Services"
        actions={
          <div className="filters">
            {customerId ? (
              <span className="chip">
                customer {presetCustomer?.name ?? customerId}
                <button type="button" aria-label="Show every customer" onClick={() => setParams({})}>
                  ×
                </button>
              </span>
            ) : null}
            <label className="inline">
              Plan
              <select
                value={planId}
                onChange={(e) => {
                  setPlanId(e.target.value);
                  dispatch({ type: 'first' });
                }}
              >
                <option value="">all</option>
                {plans.data?.plans.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
        }
      >
        {query.error && !rows ? (
          <ErrorState error={query.error} onRetry={() => void query.refetch()} />
        ) : !rows ? (
          <Loading label="Loading services…" />
        ) : rows.length === 0 ? (
          <Empty title="No service here yet.">Add one above to let a subscriber in.</Empty>
        ) : (
          <div className="table-scroll">
            <table className="table" data-testid="services-table">
              <thead>
                <tr>
                  <th>Customer</th>
                  <th>User-Name</th>
                  <th>Circuit / remote</th>
                  <th>Plan</th>
                  <th>Status</th>
                  <th>Session</th>
                  <th>RADIUS</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {rows.map((s) => (
                  <ServiceLine key={s.id} service={s} plans={plans.data?.plans ?? []} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div className="pager">
          <span className="muted">
            {rows && rows.length > 0 ? `${formatCount(firstRowNumber(state))}–${formatCount(firstRowNumber(state) + rows.length - 1)} of ${formatCount(query.data?.services.totalCount ?? 0)}` : ''}
          </span>
          <button type="button" className="btn btn-small" disabled={pageIndex(state) === 0} onClick={() => dispatch({ type: 'previous' })}>
            Previous
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={!pageInfo?.hasNextPage || !pageInfo.endCursor}
            onClick={() => pageInfo?.endCursor && dispatch({ type: 'next', endCursor: pageInfo.endCursor })}
          >
            Next
          </button>
        </div>
      </Card>
    </div>
  );
}

function ServiceLine({ service: s, plans }: { service: ServiceRow; plans: readonly { id: string; name: string; downloadKbps: number; uploadKbps: number }[] }) {
  const invalidates = [ServicesQuery, PlansQuery, ActiveSessionsQuery, CustomerDetailQuery];
  const update = useGraphQLMutation(UpdateServiceMutation, invalidates);
  const remove = useGraphQLMutation(DeleteServiceMutation, invalidates);
  const sync = useGraphQLMutation(SyncRadiusMutation, [ServicesQuery, CustomerDetailQuery]);
  const radius = radiusSyncState(s, s.customer.radiusProfile);
  const suspended = s.status.toUpperCase() !== 'ACTIVE';
  const error = update.error ?? remove.error ?? sync.error;

  return (
    <tr data-service-id={s.id} data-username={s.username ?? ''}>
      <td>
        <Link to={`/customers/${s.customer.id}`}>{s.customer.name}</Link>
      </td>
      <td className="mono small">{s.username ?? '—'}</td>
      <td className="mono small">
        {s.circuitId ?? '—'} <span className="muted">/ {s.remoteId ?? '—'}</span>
      </td>
      <td>
        <select
          aria-label={`Plan of ${s.username ?? s.customer.name}`}
          value={s.plan.id}
          disabled={update.isPending}
          onChange={(e) => update.mutate({ id: s.id, input: { planId: e.target.value } })}
        >
          {plans.some((p) => p.id === s.plan.id) ? null : <option value={s.plan.id}>{s.plan.name}</option>}
          {plans.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        <div className="muted small">
          {formatKbps(s.plan.downloadKbps)} / {formatKbps(s.plan.uploadKbps)}
        </div>
        {update.isSuccess ? <div className="ok-text small">Saved{s.session ? '; CoA sent to the live session' : ''}.</div> : null}
      </td>
      <td>
        <Badge tone={stateTone(s.status)}>{s.status}</Badge>
        <div>
          <button
            type="button"
            className="btn-link small"
            disabled={update.isPending}
            onClick={() => update.mutate({ id: s.id, input: { status: suspended ? 'ACTIVE' : 'SUSPENDED' } })}
          >
            {suspended ? 'Activate' : 'Suspend'}
          </button>
        </div>
      </td>
      <td data-testid="service-session" data-session-id={s.session?.id ?? ''}>
        {s.session ? (
          <>
            <Badge tone="ok">online</Badge> <span className="mono">{s.session.ip}</span>
            <div className="small" data-testid="service-session-rate">
              {formatKbps(s.session.downloadKbps)} ↓ {formatKbps(s.session.uploadKbps)} ↑
            </div>
            <DisconnectButton sessionId={s.session.id} />
          </>
        ) : (
          <Badge tone="muted">offline</Badge>
        )}
      </td>
      <td>
        <Badge tone={syncTone[radius]} title={radiusSyncText[radius]}>
          {radius}
        </Badge>
        {radius === 'missing' || radius === 'stale' ? (
          <div>
            <button type="button" className="btn-link small" disabled={sync.isPending} onClick={() => sync.mutate({ customerId: s.customer.id })}>
              {sync.isPending ? 'Syncing…' : 'Sync now'}
            </button>
          </div>
        ) : null}
      </td>
      <td className="row-actions">
        <ConfirmButton confirmLabel="Delete service" onConfirm={() => remove.mutate({ id: s.id })}>
          Delete
        </ConfirmButton>
        {error ? (
          <div className="error-text small" role="alert">
            {errorMessage(error)}
          </div>
        ) : null}
      </td>
    </tr>
  );
}
