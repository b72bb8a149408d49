// Test helpers: a TransportUser that queues what it hears, and raw peers on real sockets.
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import type { SipRequest, SipResponse } from '../../src/message/types.ts';
import type { Flow, IncomingMessage, TransportUser } from '../../src/transport/types.ts';

/** A FIFO whose `next()` waits for the next item: tests wait on events, never on time. */
export class Queue<T> {
  readonly items: T[] = [];
  #waiters: Array<(item: T) => void> = [];

  push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  next(): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

export class Inbox implements TransportUser {
  readonly requests = new Queue<IncomingMessage<SipRequest>>();
  readonly responses = new Queue<IncomingMessage<SipResponse>>();
  readonly closed = new Queue<{ connectionId: string; flow: Flow }>();

  onRequest(incoming: IncomingMessage<SipRequest>): void {
    this.requests.push(incoming);
  }
  onResponse(incoming: IncomingMessage<SipResponse>): void {
    this.responses.push(incoming);
  }
  onConnectionClosed(connectionId: string, flow: Flow): void {
    this.closed.push({ connectionId, flow });
  }
}

/** A request as a phone would write it; Content-Length is computed. */
export function requestText(options: {
  method?: string;
  via: string;
  callId?: string;
  body?: string;
  extra?: string;
}): string {
  const method = options.method ?? 'OPTIONS';
  const body = options.body ?? '';
  return (
    `${method} sip:service@127.0.0.1 SIP/2.0\r\n` +
    `Via: ${options.via}\r\n` +
    'Max-Forwards: 70\r\n' +
    'From: <sip:alice@example.com>;tag=a1\r\n' +
    'To: <sip:service@example.com>\r\n' +
    `Call-ID: ${options.callId ?? 'call-1@test'}\r\n` +
    `CSeq: 1 ${method}\r\n` +
    (options.extra ?? '') +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** A response echoing `via` as its top Via. */
export function responseText(
  via: string,
  status = 200,
  reason = 'OK',
  callId = 'call-1@test',
): string {
  return (
    `SIP/2.0 ${status} ${reason}\r\n` +
    `Via: ${via}\r\n` +
    'From: <sip:alice@example.com>;tag=a1\r\n' +
    'To: <sip:service@example.com>;tag=b2\r\n' +
    `Call-ID: ${callId}\r\n` +
    'CSeq: 1 OPTIONS\r\n' +
    'Content-Length: 0\r\n\r\n'
  );
}

export interface UdpPeer {
  port: number;
  received: Queue<{ text: string; port: number }>;
  send(text: string, port: number): Promise<void>;
  close(): Promise<void>;
}

export async function udpPeer(): Promise<UdpPeer> {
  const socket = createSocket('udp4');
  const received = new Queue<{ text: string; port: number }>();
  socket.on('message', (data, rinfo) => received.push({ text: data.toString(), port: rinfo.port }));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    received,
    send: (text, port) =>
      new Promise((resolve, reject) =>
        socket.send(text, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
      ),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

export interface StreamPeer {
  socket: Socket;
  /** Everything read so far. */
  readonly text: string;
  /** Resolves once what was read satisfies `test`. */
  waitFor(test: (text: string) => boolean): Promise<string>;
  /** Resolves when the other side closes. */
  ended: Promise<void>;
}

/** Wraps a connected socket (net or tls) to read it as text. */
export function streamPeer(socket: Socket): StreamPeer {
  let text = '';
  let checks: Array<() => void> = [];
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    for (const check of checks) check();
  });
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    get text() {
      return text;
    },
    waitFor(test) {
      return new Promise((resolve) => {
        const check = (): void => {
          if (!test(text)) return;
          checks = checks.filter((c) => c !== check);
          resolve(text);
        };
        checks.push(check);
        check();
      });
    },
    ended,
  };
}

export async function tcpPeer(port: number): Promise<StreamPeer> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return streamPeer(socket);
}

/** The header value of `name` in a message's text. */
export function headerOf(text: string, name: string): string | undefined {
  const line = text.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(line.indexOf(':') + 1).trim();
}
