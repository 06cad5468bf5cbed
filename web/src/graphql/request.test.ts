import { describe, expect, it, vi } from 'vitest';
import { gql } from './document';
import { AuthError, GraphQLRequestError, NetworkError, fieldErrors, isAuthFailure, isForbidden } from './errors';
import { graphqlRequest } from './request';

const Plans = gql<{ plans: { id: string }[] }>('query Plans { plans { id } }');

function respond(status: number, body: unknown) {
  return vi.fn<typeof fetch>(() => Promise.resolve(new Response(typeof body === 'string' ? body : JSON.stringify(body), { status })));
}

describe('graphqlRequest', () => {
  it('posts the operation with the key and returns its data', async () => {
    const fetchImpl = respond(200, { data: { plans: [{ id: '1' }] } });
    await expect(graphqlRequest(Plans, {}, { apiKey: 'k', fetchImpl })).resolves.toEqual({ plans: [{ id: '1' }] });
    const [url, init] = fetchImpl.mock.calls[0] ?? [];
    expect(url).toBe('/graphql');
    expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer k');
    expect(JSON.parse(init?.body as string)).toEqual({ query: Plans.source, operationName: 'Plans', variables: {} });
  });

  it('throws AuthError on 401, and a FORBIDDEN error that does not sign out on 403', async () => {
    await expect(graphqlRequest(Plans, {}, { apiKey: 'k', fetchImpl: respond(401, {}) })).rejects.toBeInstanceOf(AuthError);
    const forbidden = await graphqlRequest(Plans, {}, { apiKey: 'k', fetchImpl: respond(403, '') }).catch((e: unknown) => e);
    expect(isForbidden(forbidden)).toBe(true);
    expect(isAuthFailure(forbidden)).toBe(false);
  });

  it('throws the GraphQL errors with their codes and fields', async () => {
    const body = { data: null, errors: [{ message: 'Another customer has this email address.', extensions: { code: 'BAD_USER_INPUT', field: 'input.email' } }] };
    const error = await graphqlRequest(Plans, {}, { apiKey: 'k', fetchImpl: respond(200, body) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLRequestError);
    expect(fieldErrors(error)).toEqual({ email: 'Another customer has this email address.' });
    expect(isAuthFailure(error)).toBe(false);
  });

  it('throws NetworkError when the server cannot be reached or does not speak GraphQL', async () => {
    const down = vi.fn<typeof fetch>(() => Promise.reject(new TypeError('fetch failed')));
    await expect(graphqlRequest(Plans, {}, { apiKey: 'k', fetchImpl: down })).rejects.toBeInstanceOf(NetworkError);
    await expect(graphqlRequest(Plans, {}, { apiKey: 'k', fetchImpl: respond(502, '<html>bad gateway</html>') })).rejects.toThrow(/HTTP 502/);
  });
});

describe('error classification', () => {
  it('tells a refused key from a missing role', () => {
    const unauthenticated = new GraphQLRequestError([{ message: 'no key', extensions: { code: 'UNAUTHENTICATED' } }]);
    const forbidden = new GraphQLRequestError([{ message: 'viewers cannot mutate', extensions: { code: 'FORBIDDEN' } }]);
    expect(isAuthFailure(unauthenticated)).toBe(true);
    expect(isForbidden(unauthenticated)).toBe(false);
    expect(isForbidden(forbidden)).toBe(true);
    expect(fieldErrors(new Error('x'))).toEqual({});
    expect(fieldErrors(new GraphQLRequestError([{ message: 'a' }, { message: 'b' }]))).toEqual({ '': 'a b' });
  });
});
