// Errors from the API, told apart by what the UI does with them: sign the operator out, show a validation
// message next to a field, or show the message as it came.

export interface GraphQLErrorShape {
  readonly message: string;
  readonly path?: readonly (string | number)[];
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/** The API refused the key (HTTP 401, or WebSocket close 4401/4403 at connection_init). */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(message = 'The API key was refused.') {
    super(message);
  }
}

/** The server could not be reached or answered with something other than GraphQL. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The server answered with GraphQL errors. */
export class GraphQLRequestError extends Error {
  override readonly name = 'GraphQLRequestError';
  constructor(readonly errors: readonly GraphQLErrorShape[]) {
    super(errors.map((e) => e.message).join('; ') || 'The request failed.');
  }

  get codes(): string[] {
    return this.errors.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : '')).filter(Boolean);
  }
}

/** The key is not (or no longer) valid: the operator is signed out. */
export function isAuthFailure(error: unknown): boolean {
  if (error instanceof AuthError) return true;
  return error instanceof GraphQLRequestError && error.codes.includes('UNAUTHENTICATED');
}

/** The key is valid but lacks the role (a viewer trying to mutate): the message is shown, the operator stays. */
export function isForbidden(error: unknown): boolean {
  return error instanceof GraphQLRequestError && error.codes.some((c) => c === 'FORBIDDEN' || c === 'ACCESS_DENIED');
}

export const FORBIDDEN_MESSAGE = 'This API key may not do that: it needs the operator role.';

/**
 * Validation messages by input field. The server names the field in extensions.field (or the last path element
 * of extensions.argumentPath); messages without a field are collected under the empty key.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof GraphQLRequestError)) return out;
  for (const e of error.errors) {
    const ext = e.extensions ?? {};
    let field = typeof ext.field === 'string' ? ext.field : '';
    if (!field && Array.isArray(ext.fields) && typeof ext.fields[0] === 'string') field = ext.fields[0];
    const key = field.split('.').at(-1) ?? '';
    out[key] = out[key] ? `${out[key]} ${e.message}` : e.message;
  }
  return out;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return 'Something went wrong.';
}
