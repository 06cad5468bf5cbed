import type { TypedDocument } from './document';
import { AuthError, FORBIDDEN_MESSAGE, GraphQLRequestError, NetworkError, type GraphQLErrorShape } from './errors';

export const GRAPHQL_PATH = '/graphql';

export interface RequestOptions {
  readonly apiKey: string;
  readonly signal?: AbortSignal | undefined;
  readonly endpoint?: string;
  readonly fetchImpl?: typeof fetch;
}

interface Envelope<T> {
  data?: T | null;
  errors?: GraphQLErrorShape[];
}

/** Runs a query or mutation over HTTP POST and returns its data, or throws one of the errors in ./errors. */
export async function graphqlRequest<TResult, TVariables>(
  document: TypedDocument<TResult, TVariables>,
  variables: TVariables,
  options: RequestOptions,
): Promise<TResult> {
  const fetchImpl = options.fetchImpl ?? fetch;
  let response: Response;
  try {
    response = await fetchImpl(options.endpoint ?? GRAPHQL_PATH, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/graphql-response+json, application/json',
        Authorization: `Bearer ${options.apiKey}`,
      },
      body: JSON.stringify({ query: document.source, operationName: document.operationName, variables }),
      signal: options.signal ?? null,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new NetworkError('The controller cannot be reached.');
  }
  if (response.status === 401) throw new AuthError();
  if (response.status === 403) throw new GraphQLRequestError([{ message: FORBIDDEN_MESSAGE, extensions: { code: 'FORBIDDEN' } }]);
  let body: Envelope<TResult>;
  try {
    body = (await response.json()) as Envelope<TResult>;
  } catch {
    throw new NetworkError(`The controller answered HTTP ${response.status} without GraphQL.`, response.status);
  }
  if (body.errors && body.errors.length > 0) throw new GraphQLRequestError(body.errors);
  if (!response.ok) throw new NetworkError(`The controller answered HTTP ${response.status}.`, response.status);
  if (body.data === undefined || body.data === null) throw new NetworkError('The controller answered without data.');
  return body.data;
}
