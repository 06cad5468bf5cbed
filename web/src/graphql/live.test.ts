import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeSocket } from '../test/fakeSocket';
import { gql } from './document';
import { AuthError, GraphQLRequestError } from './errors';
import { createLiveClient, liveUrl, type LiveClient, type LiveStatus } from './live';

const Ticks = gql<{ tick: number }, { every: number }>('subscription Ticks($every: Int) { tick(every: $every) }');

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
}

async function socketOpened(count = 1): Promise<FakeSocket> {
  await vi.waitFor(() => expect(FakeSocket.instances.length).toBeGreaterThanOrEqual(count));
  return FakeSocket.latest();
}

describe('createLiveClient', () => {
  let client: LiveClient;
  let statuses: [LiveStatus, boolean][];

  beforeEach(() => {
    FakeSocket.reset();
    statuses = [];
    client = createLiveClient({ url: 'ws://controller/graphql', apiKey: 'k-123', webSocketImpl: FakeSocket, retryDelayMs: () => 0, keepAliveMs: 0, resubscribeDelayMs: 0 });
    client.onStatus((status, resumed) => statuses.push([status, resumed]));
  });

  afterEach(() => client.dispose());

  it('connects lazily, sends the key in connection_init and subscribes with the document', async () => {
    expect(FakeSocket.instances).toHaveLength(0);
    const received: number[] = [];
    client.subscribe(Ticks, { every: 5 }, { next: (d) => received.push(d.tick) });
    const socket = await socketOpened();
    expect(socket.protocol).toBe('graphql-transport-ws');
    socket.open();
    await settle();
    expect(socket.sentOfType('connection_init')).toEqual([
      { type: 'connection_init', payload: { Authorization: 'Bearer k-123' } },
    ]);
    socket.ack();
    await settle();
    const [subscribe] = socket.sentOfType('subscribe');
    expect(subscribe?.payload).toMatchObject({ operationName: 'Ticks', variables: { every: 5 } });
    expect((subscribe?.payload as { query: string }).query).toContain('subscription Ticks');
    socket.next(subscribe?.id ?? '', { tick: 1 });
    socket.next(subscribe?.id ?? '', { tick: 2 });
    expect(received).toEqual([1, 2]);
    expect(client.status).toBe('connected');
  });

  it('sends complete when the caller unsubscribes', async () => {
    const unsubscribe = client.subscribe(Ticks, { every: 1 }, { next: () => undefined });
    const socket = await socketOpened();
    socket.open();
    await settle();
    socket.ack();
    await settle();
    const id = socket.sentOfType('subscribe')[0]?.id;
    unsubscribe();
    await settle();
    expect(socket.sentOfType('complete')).toEqual([{ type: 'complete', id }]);
  });

  it('passes GraphQL errors in a result to the error handler', async () => {
    const errors: Error[] = [];
    client.subscribe(Ticks, { every: 1 }, { next: () => undefined, error: (e) => errors.push(e) });
    const socket = await socketOpened();
    socket.open();
    await settle();
    socket.ack();
    await settle();
    const id = socket.sentOfType('subscribe')[0]?.id ?? '';
    socket.receive({ type: 'next', id, payload: { errors: [{ message: 'too deep', extensions: { code: 'MAX_DEPTH' } }] } });
    expect(errors[0]).toBeInstanceOf(GraphQLRequestError);
    expect((errors[0] as GraphQLRequestError).codes).toEqual(['MAX_DEPTH']);
  });

  it('reports a refused key and does not retry', async () => {
    const errors: Error[] = [];
    client.subscribe(Ticks, { every: 1 }, { next: () => undefined, error: (e) => errors.push(e) });
    const socket = await socketOpened();
    socket.open();
    await settle();
    socket.drop(4403, 'Forbidden');
    await settle();
    await settle();
    expect(client.status).toBe('unauthorized');
    expect(errors[0]).toBeInstanceOf(AuthError);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it.each([
    [1006, 'a lost connection (graphql-ws retries)'],
    [1011, 'a server error graphql-ws deems fatal (this client subscribes again)'],
  ])('reconnects after close %i, %s, and says the connection resumed', async (code) => {
    const received: number[] = [];
    const errors: Error[] = [];
    client.subscribe(Ticks, { every: 1 }, { next: (d) => received.push(d.tick), error: (e) => errors.push(e) });
    const first = await socketOpened();
    first.open();
    await settle();
    first.ack();
    await settle();
    first.drop(code, 'gone');
    await settle();
    expect(client.status).toBe('reconnecting');

    const second = await socketOpened(2);
    expect(second).not.toBe(first);
    second.open();
    await settle();
    expect(second.sentOfType('connection_init')).toHaveLength(1);
    second.ack();
    await settle();
    const id = second.sentOfType('subscribe')[0]?.id ?? '';
    second.next(id, { tick: 7 });
    expect(received).toEqual([7]);
    expect(statuses).toContainEqual(['connected', true]);
    expect(statuses.filter(([, resumed]) => resumed)).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('goes idle, not reconnecting, when the last subscription ends', async () => {
    const unsubscribe = client.subscribe(Ticks, { every: 1 }, { next: () => undefined });
    const socket = await socketOpened();
    socket.open();
    await settle();
    socket.ack();
    await settle();
    unsubscribe();
    // graphql-ws closes a lazy connection with 1000 once nothing is subscribed.
    await vi.waitFor(() => expect(socket.readyState).toBe(FakeSocket.CLOSED), { timeout: 3000 });
    await settle();
    expect(client.status).toBe('idle');
  });

  it('refuses to subscribe once disposed', () => {
    client.dispose();
    expect(client.status).toBe('disposed');
    expect(() => client.subscribe(Ticks, { every: 1 }, { next: () => undefined })).toThrow(/disposed/);
  });
});

describe('liveUrl', () => {
  it('maps http to ws and https to wss on the page origin', () => {
    expect(liveUrl('/graphql', 'http://127.0.0.1:8080')).toBe('ws://127.0.0.1:8080/graphql');
    expect(liveUrl('/graphql', 'https://oss.example.net')).toBe('wss://oss.example.net/graphql');
  });
});
