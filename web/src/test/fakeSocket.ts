// A WebSocket stand-in for the graphql-ws client: the test plays the server, reading what the client sent and
// answering with graphql-transport-ws messages.

interface Message {
  type: string;
  id?: string;
  payload?: unknown;
}

export class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static instances: FakeSocket[] = [];

  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState = FakeSocket.CONNECTING;
  readonly sent: Message[] = [];
  onopen: (() => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocol: string,
  ) {
    FakeSocket.instances.push(this);
  }

  static reset(): void {
    FakeSocket.instances = [];
  }

  static latest(): FakeSocket {
    const socket = FakeSocket.instances.at(-1);
    if (!socket) throw new Error('no socket was opened');
    return socket;
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Message);
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === FakeSocket.CLOSED) return;
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.({ code, reason, wasClean: true });
  }

  // The server's side.
  open(): void {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }

  receive(message: Message): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  ack(): void {
    this.receive({ type: 'connection_ack' });
  }

  next(id: string, data: unknown): void {
    this.receive({ type: 'next', id, payload: { data } });
  }

  complete(id: string): void {
    this.receive({ type: 'complete', id });
  }

  /** The server closes the connection, as it does on a refused key (4401/4403) or a crash (1011). */
  drop(code: number, reason = ''): void {
    this.close(code, reason);
  }

  sentOfType(type: string): Message[] {
    return this.sent.filter((m) => m.type === type);
  }
}
