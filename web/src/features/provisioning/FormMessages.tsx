import { errorMessage, fieldErrors, GraphQLRequestError } from '../../graphql/errors';

/** Server messages that name no field of the form, shown above its buttons. */
export function FormError({ error, fields }: { error: unknown; fields: readonly string[] }) {
  if (!error) return null;
  const byField = fieldErrors(error);
  const loose =
    error instanceof GraphQLRequestError
      ? Object.entries(byField)
          .filter(([key]) => !fields.includes(key))
          .map(([, message]) => message)
      : [errorMessage(error)];
  if (loose.length === 0) return null;
  return (
    <div className="form-error" role="alert">
      {loose.join(' ')}
    </div>
  );
}

/** The message for a field: the form's own check first, then the server's. */
export function messageFor(field: string, local: Partial<Record<string, string | undefined>>, serverError: unknown): string | undefined {
  return local[field] ?? (serverError ? fieldErrors(serverError)[field] : undefined);
}
