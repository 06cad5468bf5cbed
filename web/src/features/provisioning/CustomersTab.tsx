import { Fragment, useReducer, useState } from 'react';
import { Link } from 'react-router-dom';
import { Empty, ErrorState, Loading } from '../../components/StateViews';
import { Card, ConfirmButton } from '../../components/ui';
import { errorMessage } from '../../graphql/errors';
import { useGraphQLMutation, useGraphQLQuery } from '../../graphql/hooks';
import { formatCount, formatTimestamp } from '../../lib/format';
import { currentCursor, firstRowNumber, initialTableState, pageIndex, pagedTableReducer } from '../../lib/tableState';
import { TextFilter } from '../dashboard/SessionsTable';
import { CustomerForm } from './CustomerForm';
import { CustomerOptionsQuery, CustomersQuery, DeleteCustomerMutation, ServicesQuery, type CustomerRow } from './operations';

export function CustomersTab() {
  const [state, dispatch] = useReducer(pagedTableReducer, undefined, () => initialTableState({ pageSize: 25 }));
  const [editing, setEditing] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const search = state.filters.search ?? null;
  const query = useGraphQLQuery(CustomersQuery, { first: state.pageSize, after: currentCursor(state), search }, { placeholderData: (p) => p });
  const remove = useGraphQLMutation(DeleteCustomerMutation, [CustomersQuery, CustomerOptionsQuery, ServicesQuery]);
  const rows = query.data?.customers.nodes;
  const pageInfo = query.data?.customers.pageInfo;

  return (
    <div className="stack">
      <Card
        title="New customer"
        actions={
          <button type="button" className="btn btn-small" onClick={() => setCreating(!creating)} aria-expanded={creating}>
            {creating ? 'Close' : 'Add customer'}
          </button>
        }
      >
        {creating ? <CustomerForm /> : <p className="muted small">Create the customer first, then give them a service on a plan.</p>}
      </Card>
      <Card title="Customers" actions={<TextFilter label="Search" value={search ?? ''} placeholder="name or email" onChange={(v) => dispatch({ type: 'filter', id: 'search', value: v })} />}>
        {remove.error ? (
          <div className="form-error" role="alert">
            {errorMessage(remove.error)}
          </div>
        ) : null}
        {query.error && !rows ? (
          <ErrorState error={query.error} onRetry={() => void query.refetch()} />
        ) : !rows ? (
          <Loading label="Loading customers…" />
        ) : rows.length === 0 ? (
          <Empty title={search ? 'No customer matches.' : 'No customer yet.'}>{search ? 'Try another name or email.' : 'Add the first one above.'}</Empty>
        ) : (
          <div className="table-scroll">
            <table className="table" data-testid="customers-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Email</th>
                  <th>Phone</th>
                  <th>Services</th>
                  <th>Online</th>
                  <th>Created</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <Fragment key={c.id}>
                    <CustomerLine customer={c} onEdit={() => setEditing(editing === c.id ? null : c.id)} onDelete={() => remove.mutate({ id: c.id })} />
                    {editing === c.id ? (
                      <tr className="row-detail">
                        <td colSpan={7}>
                          <CustomerForm customer={c} onSaved={() => setEditing(null)} onCancel={() => setEditing(null)} />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div className="pager">
          <span className="muted">
            {rows && rows.length > 0 ? `${formatCount(firstRowNumber(state))}–${formatCount(firstRowNumber(state) + rows.length - 1)} of ${formatCount(query.data?.customers.totalCount ?? 0)}` : ''}
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

function CustomerLine({ customer: c, onEdit, onDelete }: { customer: CustomerRow; onEdit: () => void; onDelete: () => void }) {
  return (
    <tr data-customer-id={c.id}>
      <td>
        <Link to={`/customers/${c.id}`}>{c.name}</Link>
      </td>
      <td>{c.email}</td>
      <td>{c.phone ?? '—'}</td>
      <td>
        <Link to={`/provisioning/services?customerId=${c.id}`}>{c.services.length}</Link>
      </td>
      <td>{c.sessions.length}</td>
      <td className="nowrap muted">{formatTimestamp(c.createdAt)}</td>
      <td className="row-actions">
        <button type="button" className="btn btn-small" onClick={onEdit}>
          Edit
        </button>
        <Link className="btn btn-small" to={`/provisioning/services?customerId=${c.id}&new=1`}>
          Add service
        </Link>
        <ConfirmButton confirmLabel="Delete customer and services" onConfirm={onDelete}>
          Delete
        </ConfirmButton>
      </td>
    </tr>
  );
}
