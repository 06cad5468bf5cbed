import { Fragment, useState } from 'react';
import { Empty, QueryView } from '../../components/StateViews';
import { Card, ConfirmButton, Field } from '../../components/ui';
import { errorMessage } from '../../graphql/errors';
import { useGraphQLMutation, useGraphQLQuery } from '../../graphql/hooks';
import { formatKbps } from '../../lib/format';
import { ActiveSessionsQuery } from '../dashboard/operations';
import { CustomerDetailQuery } from '../customers/operations';
import { FormError, messageFor } from './FormMessages';
import { CreatePlanMutation, DeletePlanMutation, PlansQuery, ServicesQuery, UpdatePlanMutation, type PlanRow } from './operations';
import { hasErrors, kbpsToMbpsText, toPlanInput, validatePlan, type Errors, type PlanForm as Form } from './validation';

const FIELDS = ['name', 'downloadKbps', 'uploadKbps', 'burstKbps', 'downloadMbps', 'uploadMbps', 'burstMbps'];
const empty: Form = { name: '', downloadMbps: '', uploadMbps: '', burstMbps: '' };

/** The server names rate fields in kbit/s; the form shows Mbit/s. */
function serverField(field: keyof Form): string {
  return { name: 'name', downloadMbps: 'downloadKbps', uploadMbps: 'uploadKbps', burstMbps: 'burstKbps' }[field];
}

export function PlanForm({ plan, onDone }: { plan?: PlanRow; onDone?: () => void }) {
  const [form, setForm] = useState<Form>(
    plan
      ? { name: plan.name, downloadMbps: kbpsToMbpsText(plan.downloadKbps), uploadMbps: kbpsToMbpsText(plan.uploadKbps), burstMbps: kbpsToMbpsText(plan.burstKbps) }
      : empty,
  );
  const [errors, setErrors] = useState<Errors<keyof Form>>({});
  const invalidates = [PlansQuery, ServicesQuery, ActiveSessionsQuery, CustomerDetailQuery];
  const create = useGraphQLMutation(CreatePlanMutation, invalidates);
  const update = useGraphQLMutation(UpdatePlanMutation, invalidates);
  const mutation = plan ? update : create;

  const set = (key: keyof Form) => (e: { target: { value: string } }) => {
    setForm({ ...form, [key]: e.target.value });
    if (errors[key]) setErrors({ ...errors, [key]: undefined });
  };
  const message = (key: keyof Form) => messageFor(key, errors, null) ?? messageFor(serverField(key), {}, mutation.error);

  const submit = (event: { preventDefault(): void }) => {
    event.preventDefault();
    const found = validatePlan(form);
    setErrors(found);
    if (hasErrors(found)) return;
    const input = toPlanInput(form);
    if (plan) update.mutate({ id: plan.id, input });
    else create.mutate({ input }, { onSuccess: () => setForm(empty) });
  };

  const result = update.data?.updatePlan;
  return (
    <form className="form" onSubmit={submit} noValidate aria-label={plan ? `Edit plan ${plan.name}` : 'New plan'} data-testid="plan-form">
      <div className="form-grid">
        <Field label="Name" error={message('name')}>
          <input name="name" value={form.name} onChange={set('name')} autoComplete="off" />
        </Field>
        <Field label="Download (Mbps)" error={message('downloadMbps')}>
          <input name="downloadMbps" inputMode="decimal" value={form.downloadMbps} onChange={set('downloadMbps')} />
        </Field>
        <Field label="Upload (Mbps)" error={message('uploadMbps')}>
          <input name="uploadMbps" inputMode="decimal" value={form.uploadMbps} onChange={set('uploadMbps')} />
        </Field>
        <Field label="Burst ceiling (Mbps)" error={message('burstMbps')} hint="Optional; HTB ceil">
          <input name="burstMbps" inputMode="decimal" value={form.burstMbps} onChange={set('burstMbps')} />
        </Field>
      </div>
      <FormError error={mutation.error} fields={FIELDS} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={mutation.isPending}>
          {mutation.isPending ? 'Saving…' : plan ? 'Save plan' : 'Create plan'}
        </button>
        {onDone ? (
          <button type="button" className="btn btn-ghost" onClick={onDone}>
            Close
          </button>
        ) : null}
        {create.isSuccess && !plan ? <span className="ok-text">Plan {create.data.createPlan.name} created.</span> : null}
        {result ? (
          <span className="ok-text" role="status">
            Saved: {result.radiusUsersUpdated} RADIUS users rewritten, new rates sent to {result.sessionsUpdated} live sessions
            {result.sessionFailures.length > 0 ? `; ${result.sessionFailures.length} could not be reached` : ''}.
          </span>
        ) : null}
      </div>
      {result && result.sessionFailures.length > 0 ? (
        <ul className="error-text small">
          {result.sessionFailures.map((f) => (
            <li key={f.sessionId}>
              {f.sessionId}: {f.message}
            </li>
          ))}
        </ul>
      ) : null}
    </form>
  );
}

export function PlansTab() {
  const query = useGraphQLQuery(PlansQuery, {});
  const remove = useGraphQLMutation(DeletePlanMutation, [PlansQuery]);
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <div className="stack">
      <Card title="New plan">
        <PlanForm />
      </Card>
      <Card title="Plans">
        {remove.error ? (
          <div className="form-error" role="alert">
            {errorMessage(remove.error)}
          </div>
        ) : null}
        <QueryView query={query} isEmpty={(d) => d.plans.length === 0} empty={<Empty title="No plan yet.">Create one above: services need a plan.</Empty>}>
          {(data) => (
            <div className="table-scroll">
              <table className="table" data-testid="plans-table">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Download</th>
                    <th>Upload</th>
                    <th>Burst</th>
                    <th>Services</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {[...data.plans]
                    .sort((a, b) => a.downloadKbps - b.downloadKbps || a.name.localeCompare(b.name))
                    .map((p) => (
                      <Fragment key={p.id}>
                        <tr data-plan-id={p.id}>
                          <td>{p.name}</td>
                          <td>{formatKbps(p.downloadKbps)}</td>
                          <td>{formatKbps(p.uploadKbps)}</td>
                          <td>{p.burstKbps ? formatKbps(p.burstKbps) : '—'}</td>
                          <td>{p.serviceCount}</td>
                          <td className="row-actions">
                            <button type="button" className="btn btn-small" onClick={() => setEditing(editing === p.id ? null : p.id)}>
                              Edit
                            </button>
                            <ConfirmButton
                              confirmLabel="Delete plan"
                              disabled={p.serviceCount > 0}
                              onConfirm={() => remove.mutate({ id: p.id })}
                            >
                              Delete
                            </ConfirmButton>
                          </td>
                        </tr>
                        {editing === p.id ? (
                          <tr className="row-detail">
                            <td colSpan={6}>
                              <p className="muted small">New rates reach every live session on this plan by CoA.</p>
                              <PlanForm plan={p} onDone={() => setEditing(null)} />
                            </td>
                          </tr>
                        ) : null}
                      </Fragment>
                    ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryView>
      </Card>
    </div>
  );
}
