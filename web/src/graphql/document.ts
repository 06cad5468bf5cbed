// Typed GraphQL documents: the operation text with its result and variable types attached, so a component that
// runs one gets typed data without code generation. Every document is checked against the schema by a unit test.

declare const resultType: unique symbol;
declare const variablesType: unique symbol;

export interface TypedDocument<TResult, TVariables> {
  readonly source: string;
  readonly operationName: string;
  readonly kind: 'query' | 'mutation' | 'subscription';
  readonly [resultType]?: TResult;
  readonly [variablesType]?: TVariables;
}

export type ResultOf<D> = D extends TypedDocument<infer R, unknown> ? R : never;
export type VariablesOf<D> = D extends TypedDocument<unknown, infer V> ? V : never;

/** Any document, whatever its types: for lists of operations to invalidate. */
export type AnyDocument = TypedDocument<unknown, unknown>;

export type NoVariables = Record<string, never>;

export function gql<TResult, TVariables = NoVariables>(source: string): TypedDocument<TResult, TVariables> {
  const match = /^\s*(query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(source);
  if (!match?.[1] || !match[2]) throw new Error('a document must start with a named operation');
  return { source, kind: match[1] as 'query' | 'mutation' | 'subscription', operationName: match[2] };
}
