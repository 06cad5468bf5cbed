import { useState } from 'react';
import { Field } from '../../components/ui';
import { useGraphQLMutation } from '../../graphql/hooks';
import { CustomerDetailQuery } from '../customers/operations';
import { FormError, messageFor } from './FormMessages';
import { CreateCustomerMutation, CustomerOptionsQuery, CustomersQuery, UpdateCustomerMutation } from './operations';
import { hasErrors, toCustomerInput, validateCustomer, type CustomerForm as Form, type Errors } from './validation';

const FIELDS = ['name', 'email', 'phone', 'address'];
const empty: Form = { name: '', email: '', phone: '', address: '' };

/** Creates a customer, or edits one when `customer` is given. */
export function CustomerForm({
  customer,
  onSaved,
  onCancel,
}: {
  customer?: { id: string; name: string; email: string; phone: string | null; address: string | null };
  onSaved?: (id: string, name: string) => void;
  onCancel?: () => void;
}) {
  const [form, setForm] = useState<Form>(
    customer ? { name: customer.name, email: customer.email, phone: customer.phone ?? '', address: customer.address ?? '' } : empty,
  );
  const [errors, setErrors] = useState<Errors<keyof Form>>({});
  const invalidates = [CustomersQuery, CustomerOptionsQuery, CustomerDetailQuery];
  const create = useGraphQLMutation(CreateCustomerMutation, invalidates);
  const update = useGraphQLMutation(UpdateCustomerMutation, invalidates);
  const mutation = customer ? update : create;

  const set = (key: keyof Form) => (e: { target: { value: string } }) => {
    setForm({ ...form, [key]: e.target.value });
    if (errors[key]) setErrors({ ...errors, [key]: undefined });
  };

  const submit = (event: { preventDefault(): void }) => {
    event.preventDefault();
    const found = validateCustomer(form);
    setErrors(found);
    if (hasErrors(found)) return;
    const input = toCustomerInput(form);
    if (customer) {
      update.mutate({ id: customer.id, input }, { onSuccess: () => onSaved?.(customer.id, input.name) });
    } else {
      create.mutate(
        { input },
        {
          onSuccess: (data) => {
            setForm(empty);
            onSaved?.(data.createCustomer.id, data.createCustomer.name);
          },
        },
      );
    }
  };

  return (
    <form className="form" onSubmit={submit} noValidate aria-label={customer ? 'Edit customer' : 'New customer'} data-testid="customer-form">
      <div className="form-grid">
        <Field label="Name" error={messageFor('name', errors, mutation.error)}>
          <input name="name" value={form.name} onChange={set('name')} autoComplete="off" />
        </Field>
        <Field label="Email" error={messageFor('email', errors, mutation.error)}>
          <input name="email" type="email" value={form.email} onChange={set('email')} autoComplete="off" />
        </Field>
        <Field label="Phone" error={messageFor('phone', errors, mutation.error)} hint="Optional">
          <input name="phone" value={form.phone} onChange={set('phone')} autoComplete="off" />
        </Field>
        <Field label="Address" error={messageFor('address', errors, mutation.error)} hint="Optional">
          <input name="address" value={form.address} onChange={set('address')} autoComplete="off" />
        </Field>
      </div>
      <FormError error={mutation.error} fields={FIELDS} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={mutation.isPending}>
          {mutation.isPending ? 'Saving…' : customer ? 'Save customer' : 'Create customer'}
        </button>
        {onCancel ? (
          <button type="button" className="btn btn-ghost" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
        {create.isSuccess && !customer ? <span className="ok-text">Customer {create.data.createCustomer.name} created.</span> : null}
      </div>
    </form>
  );
}
