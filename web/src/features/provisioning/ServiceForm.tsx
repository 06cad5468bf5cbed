import { useState } from 'react';
import { Field } from '../../components/ui';
import { useGraphQLMutation, useGraphQLQuery } from '../../graphql/hooks';
import { formatKbps } from '../../lib/format';
import { CustomerDetailQuery } from '../customers/operations';
import { CustomerPicker } from './CustomerPicker';
import { FormError, messageFor } from './FormMessages';
import { CreateServiceMutation, CustomersQuery, PlansQuery, RadiusProfileQuery, ServicesQuery } from './operations';
import { defaultUsername, hasErrors, SERVICE_STATUSES, toServiceInput, validateService, type Errors, type ServiceForm as Form } from './validation';

const FIELDS = ['customerId', 'planId', 'bngId', 'remoteId', 'circuitId', 'username', 'status'];

/** Binds a customer to a plan for one subscriber identity; the server writes the RADIUS rows in the same step. */
export function ServiceForm({ customer: initialCustomer, onCreated }: { customer?: { id: string; name: string } | null; onCreated?: () => void }) {
  const [customer, setCustomer] = useState<{ id: string; name: string } | null>(initialCustomer ?? null);
  const [form, setForm] = useState<Omit<Form, 'customerId'>>({ planId: '', bngId: '', remoteId: '', circuitId: '', username: '', status: 'ACTIVE' });
  const [errors, setErrors] = useState<Errors<keyof Form>>({});
  const plans = useGraphQLQuery(PlansQuery, {});
  const create = useGraphQLMutation(CreateServiceMutation, [ServicesQuery, CustomersQuery, PlansQuery, CustomerDetailQuery, RadiusProfileQuery]);

  const set = (key: keyof Omit<Form, 'customerId'>) => (e: { target: { value: string } }) => {
    setForm({ ...form, [key]: e.target.value });
    if (errors[key]) setErrors({ ...errors, [key]: undefined });
  };

  const submit = (event: { preventDefault(): void }) => {
    event.preventDefault();
    const full: Form = { ...form, customerId: customer?.id ?? '' };
    const found = validateService(full);
    setErrors(found);
    if (hasErrors(found)) return;
    create.mutate(
      { input: toServiceInput(full) },
      {
        onSuccess: () => {
          setForm({ ...form, remoteId: '', circuitId: '', username: '' });
          onCreated?.();
        },
      },
    );
  };

  const template = defaultUsername(form);
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="New service" data-testid="service-form">
      <div className="form-grid">
        <Field label="Customer" error={messageFor('customerId', errors, create.error)}>
          <CustomerPicker
            label="Customer"
            value={customer}
            invalid={Boolean(errors.customerId)}
            onChange={(c) => {
              setCustomer(c);
              if (errors.customerId) setErrors({ ...errors, customerId: undefined });
            }}
          />
        </Field>
        <Field label="Plan" error={messageFor('planId', errors, create.error)}>
          <select name="planId" value={form.planId} onChange={set('planId')}>
            <option value="">{plans.isPending ? 'Loading plans…' : 'Pick a plan'}</option>
            {plans.data?.plans.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} ({formatKbps(p.downloadKbps)} / {formatKbps(p.uploadKbps)})
              </option>
            ))}
          </select>
        </Field>
        <Field label="BNG" error={messageFor('bngId', errors, create.error)} hint="The BNG the subscriber is behind">
          <input name="bngId" value={form.bngId} onChange={set('bngId')} autoComplete="off" placeholder="bng-1" />
        </Field>
        <Field label="Remote-ID" error={messageFor('remoteId', errors, create.error)} hint="Option 82 sub-option 2">
          <input name="remoteId" value={form.remoteId} onChange={set('remoteId')} autoComplete="off" />
        </Field>
        <Field label="Circuit-ID" error={messageFor('circuitId', errors, create.error)} hint="Option 82 sub-option 1">
          <input name="circuitId" value={form.circuitId} onChange={set('circuitId')} autoComplete="off" />
        </Field>
        <Field label="User-Name" error={messageFor('username', errors, create.error)} hint={template !== '//' ? `Default: ${template}` : 'Default: <bng>/<remote-id>/<circuit-id>'}>
          <input name="username" value={form.username} onChange={set('username')} autoComplete="off" />
        </Field>
        <Field label="Status" error={messageFor('status', errors, create.error)}>
          <select name="status" value={form.status} onChange={set('status')}>
            {SERVICE_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
      </div>
      <FormError error={create.error} fields={FIELDS} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          {create.isPending ? 'Provisioning…' : 'Create service'}
        </button>
        {create.isSuccess ? (
          <span className="ok-text" role="status">
            Service {create.data.createService.username ?? create.data.createService.id} created; RADIUS rows written.
          </span>
        ) : null}
      </div>
    </form>
  );
}
