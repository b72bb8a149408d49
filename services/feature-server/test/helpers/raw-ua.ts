// A phone reduced to what the NAT tests need: it sends hand-written SIP over a real UDP
// or TCP socket, answers digest challenges with the stack's DigestClient, and lets the
// test decide whether to answer the server's requests (a dead phone answers nothing).
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { connect, type Socket as TcpSocket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import WebSocket from 'ws';
import { randomBytes } from 'node:crypto';
import {
  DigestClient,
  StreamFramer,
  createResponse,
  parseMessage,
  serializeMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '@ipvoice/sip';

export interface RegisterOptions {
  aor: string;
  username: string;
  password: string;
  /** Contact URI; default `sip:<aor>@<our address>:<our port>`. */
  contact?: string;
  /** Via sent-by; default our socket address (a NATed phone puts its private one here). */
  viaHost?: string;
  expires?: number;
}

type Waiter = { match: (m: SipMessage) => boolean; done: (m: SipMessage) => void };

export abstract class RawUa {
  readonly requests: SipRequest[] = [];
  #waiters: Waiter[] = [];
  #cseq = 1;
  /** Answers the server's requests (OPTIONS keep-alives) unless set to false. */
  answerRequests = true;

  abstract get localPort(): number;
  abstract get protocol(): 'UDP' | 'TCP' | 'TLS' | 'WS';
  protected abstract write(data: Buffer): void;

  /** Resolves with the next message that `match` accepts. */
  next(match: (m: SipMessage) => boolean): Promise<SipMessage> {
    return new Promise((done) => this.#waiters.push({ match, done }));
  }

  protected deliver(data: Buffer): void {
    const parsed = parseMessage(data);
    if (!parsed.ok) return;
    const m = parsed.message;
    if (m.kind === 'request') {
      this.requests.push(m);
      if (this.answerRequests && m.method !== 'ACK') this.#answer(m);
    }
    const i = this.#waiters.findIndex((w) => w.match(m));
    if (i >= 0) this.#waiters.splice(i, 1)[0]?.done(m);
  }

  #answer(req: SipRequest): void {
    this.write(serializeMessage(createResponse(req, 200, 'OK')));
  }

  /** REGISTER → 401 → REGISTER with credentials; resolves with the final response. */
  async register(o: RegisterOptions): Promise<SipResponse> {
    const callId = randomBytes(6).toString('hex');
    const build = (auth: string[]) => {
      const sentBy = `${o.viaHost ?? '127.0.0.1'}:${this.localPort}`;
      const lines = [
        'REGISTER sip:ipvoice.local SIP/2.0',
        `Via: SIP/2.0/${this.protocol} ${sentBy};rport;branch=z9hG4bK${randomBytes(6).toString('hex')}`,
        'Max-Forwards: 70',
        `From: <sip:${o.aor}@ipvoice.local>;tag=${callId}`,
        `To: <sip:${o.aor}@ipvoice.local>`,
        `Call-ID: ${callId}`,
        `CSeq: ${this.#cseq++} REGISTER`,
        `Contact: <${o.contact ?? `sip:${o.aor}@${sentBy}`}>`,
        `Expires: ${o.expires ?? 600}`,
        ...auth,
        'Content-Length: 0',
        '',
        '',
      ];
      return Buffer.from(lines.join('\r\n'));
    };
    const first = build([]);
    const challenge = await this.#send(first, callId);
    if (challenge.status !== 401) return challenge;
    const parsed = parseMessage(first);
    if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('unparsable REGISTER');
    const client = new DigestClient({ username: o.username, password: o.password });
    const answer = client.answer(parsed.message, challenge);
    if (!answer.ok) throw new Error(`cannot answer the challenge: ${answer.reason}`);
    return this.#send(build(answer.headers.map((h) => `${h.name}: ${h.value}`)), callId);
  }

  async #send(data: Buffer, callId: string): Promise<SipResponse> {
    const reply = this.next((m) => m.kind === 'response' && m.callId === callId && m.status >= 200);
    this.write(data);
    return (await reply) as SipResponse;
  }
}

export class UdpUa extends RawUa {
  readonly #socket: Socket;
  readonly #server: { host: string; port: number };

  private constructor(socket: Socket, server: { host: string; port: number }) {
    super();
    this.#socket = socket;
    this.#server = server;
    socket.on('message', (data) => this.deliver(data));
  }

  static async open(serverPort: number): Promise<UdpUa> {
    const socket = createSocket('udp4');
    await new Promise<void>((done) => socket.bind(0, '127.0.0.1', done));
    return new UdpUa(socket, { host: '127.0.0.1', port: serverPort });
  }

  get localPort(): number {
    return this.#socket.address().port;
  }

  get protocol(): 'UDP' {
    return 'UDP';
  }

  protected write(data: Buffer): void {
    this.#socket.send(data, this.#server.port, this.#server.host);
  }

  close(): Promise<void> {
    return new Promise((done) => this.#socket.close(() => done()));
  }
}

/** A phone on a stream transport (TCP or TLS): Content-Length framing, CRLF keep-alives. */
export class StreamUa extends RawUa {
  readonly #socket: TcpSocket;
  readonly #protocol: 'TCP' | 'TLS';
  readonly #framer = new StreamFramer({ maxMessageSize: 65535 });
  /** CRLF pongs received. */
  pongs = 0;

  private constructor(socket: TcpSocket, protocol: 'TCP' | 'TLS') {
    super();
    this.#socket = socket;
    this.#protocol = protocol;
    socket.on('data', (chunk: Buffer) => {
      // RFC 5626 §4.4.1: the pong is a lone CRLF, which the framer skips silently.
      if (chunk.toString() === '\r\n') {
        this.pongs++;
        return;
      }
      for (const event of this.#framer.push(chunk)) {
        if (event.kind === 'message') this.deliver(event.data);
      }
    });
  }

  static async tcp(serverPort: number): Promise<StreamUa> {
    const socket = connect(serverPort, '127.0.0.1');
    await once(socket, 'connect');
    return new StreamUa(socket, 'TCP');
  }

  /** TLS to a server with a self-signed certificate (the test trusts it by not checking). */
  static async tls(serverPort: number): Promise<StreamUa> {
    const socket = tlsConnect({ port: serverPort, host: '127.0.0.1', rejectUnauthorized: false });
    await once(socket, 'secureConnect');
    return new StreamUa(socket, 'TLS');
  }

  get localPort(): number {
    return this.#socket.localPort ?? 0;
  }

  get protocol(): 'TCP' | 'TLS' {
    return this.#protocol;
  }

  protected write(data: Buffer): void {
    this.#socket.write(data);
  }

  /** RFC 5626 §3.5.1: a double-CRLF ping; resolves when the single-CRLF pong comes back. */
  ping(): Promise<void> {
    const before = this.pongs;
    return new Promise((done) => {
      const check = () => {
        if (this.pongs > before) {
          this.#socket.off('data', check);
          done();
        }
      };
      this.#socket.on('data', check);
      this.#socket.write('\r\n\r\n');
    });
  }

  close(): Promise<void> {
    return new Promise((done) => this.#socket.end(done));
  }
}

/** A browser-style phone over WebSocket (RFC 7118): one SIP message per frame. */
export class WsUa extends RawUa {
  readonly #ws: WebSocket;

  private constructor(ws: WebSocket) {
    super();
    this.#ws = ws;
    ws.on('message', (data: Buffer) => this.deliver(Buffer.from(data)));
  }

  static async open(serverPort: number): Promise<WsUa> {
    const ws = new WebSocket(`ws://127.0.0.1:${serverPort}`, 'sip');
    await once(ws, 'open');
    return new WsUa(ws);
  }

  /** RFC 7118 §5.2: a WebSocket client cannot be reached at an address of its own, so its
   * Via and Contact name a made-up `.invalid` host; the port there means nothing. */
  get localPort(): number {
    return 9;
  }

  get protocol(): 'WS' {
    return 'WS';
  }

  protected write(data: Buffer): void {
    this.#ws.send(data.toString());
  }

  close(): Promise<void> {
    return new Promise((done) => {
      this.#ws.once('close', () => done());
      this.#ws.close();
    });
  }
}
