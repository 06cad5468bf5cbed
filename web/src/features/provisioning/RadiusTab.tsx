import { useState } from 'react';
import { Empty, QueryView } from '../../components/StateViews';
import { Card, Field } from '../../components/ui';
import { errorMessage } from '../../graphql/errors';
import { useGraphQLMutation, useGraphQLQuery } from '../../graphql/hooks';
import { CustomerDetailQuery, type RadiusProfileData } from '../customers/operations';
import { CustomerPicker } from './CustomerPicker';
import { RadiusProfileQuery, ServicesQuery, SyncRadiusMutation } from './operations';

/** Rewrites FreeRADIUS's rows from the services and plans, and shows what a customer's rows are now. */
export function RadiusTab() {
  const syncAll = useGraphQLMutation(SyncRadiusMutation, [ServicesQuery, CustomerDetailQuery, RadiusProfileQuery]);
  const [customer, setCustomer] = useState<{ id: string; name: string } | null>(null);
  return (
    <div className="stack">
      <Card title="Synchronise RADIUS">
        <p className="muted">
          Writes radcheck, radreply and radusergroup for every ACTIVE service and removes the rows of the others. Run it after
          editing the RADIUS database by hand or restoring it.
        </p>
        <div className="form-actions">
          <button type="button" className="btn btn-primary" disabled={syncAll.isPending} onClick={() => syncAll.mutate({ customerId: null })}>
            {syncAll.isPending ? 'Synchronising…' : 'Sync every service'}
          </button>
          {syncAll.data ? (
            <span className="ok-text" role="status">
              {syncAll.data.syncRadius.written} services written, {syncAll.data.syncRadius.removed} removed.
            </span>
          ) : null}
          {syncAll.error ? (
            <span className="error-text" role="alert">
              {errorMessage(syncAll.error)}
            </span>
          ) : null}
        </div>
      </Card>
      <Card title="A customer's RADIUS profile">
        <div className="form-grid">
          <Field label="Customer">
            <CustomerPicker label="Customer" value={customer} onChange={setCustomer} />
          </Field>
        </div>
        {customer ? <RadiusProfileView customerId={customer.id} /> : <p className="muted small">Pick a customer to see the rows FreeRADIUS reads for them.</p>}
      </Card>
    </div>
  );
}

function RadiusProfileView({ customerId }: { customerId: string }) {
  const query = useGraphQLQuery(RadiusProfileQuery, { customerId });
  return (
    <QueryView query={query}>{(data) => <RadiusProfileTables profile={data.radiusProfile} />}</QueryView>
  );
}

export function RadiusProfileTables({ profile }: { profile: RadiusProfileData }) {
  if (profile.check.length + profile.reply.length + profile.groups.length === 0) {
    return <Empty title="No RADIUS rows.">The customer has no ACTIVE service, or its rows were never written: sync them.</Empty>;
  }
  return (
    <div className="radius-grid" data-testid="radius-profile">
      <div>
        <h3>radcheck</h3>
        <RowsTable rows={profile.check.map((r) => [r.username, r.attribute, r.op, r.value])} head={['User-Name', 'Attribute', 'Op', 'Value']} />
      </div>
      <div>
        <h3>radreply</h3>
        <RowsTable rows={profile.reply.map((r) => [r.username, r.attribute, r.op, r.value])} head={['User-Name', 'Attribute', 'Op', 'Value']} />
      </div>
      <div>
        <h3>radusergroup</h3>
        <RowsTable rows={profile.groups.map((g) => [g.username, g.groupName, g.priority.toString()])} head={['User-Name', 'Group', 'Priority']} />
      </div>
    </div>
  );
}

function RowsTable({ head, rows }: { head: string[]; rows: string[][] }) {
  if (rows.length === 0) return <p className="muted small">none</p>;
  return (
    <table className="table table-compact">
      <thead>
        <tr>
          {head.map((h) => (
            <th key={h}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            {r.map((cell, j) => (
              <td key={j} className="mono small">
                {cell}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
