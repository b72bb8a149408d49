// Every RFC 4475 torture message sent over real UDP to a running server with handlers for
// REGISTER (behind digest auth), OPTIONS (200) and INVITE (486); one test per message.
import test from 'ava';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect } from 'node:net';
import { digestAuth } from '../../src/app/digest-auth.ts';
import { createSipServer, type SipServer } from '../../src/app/sip-server.ts';
import { parseMessage } from '../../src/message/parse.ts';
import { StreamFramer } from '../../src/transport/stream-framer.ts';
import { createTransportLayer } from '../../src/transport/transport-layer.ts';
import { readVector, rfc4475Vectors } from '../vectors/rfc4475/index.ts';

// What our handlers answer when a vector leaves the answer to "normal processing".
const handlerAnswer: Record<string, number> = {
  INVITE: 486,
  OPTIONS: 200,
  REGISTER: 401,
  MESSAGE: 405,
};

// A fresh server per message: several vectors share a Via branch, and a shared server
// would rightly treat the later ones as retransmissions (RFC 3261 §17.2.3).
async function startServer(): Promise<{ server: SipServer; udpPort: number; tcpPort: number }> {
  const server = createSipServer({
    listen: [{ protocol: 'UDP', address: '127.0.0.1', port: 0 }],
    // DEVIATION (harness, RFC 3261 §18.2.2): the vectors' Via ports name hosts that do not
    // exist, so responses are steered back to the sending socket with rport. Where
    // responses go is tested in test/transport.
    transport: async (user) => {
      const layer = await createTransportLayer({
        listen: [
          { protocol: 'UDP', address: '127.0.0.1', port: 0 },
          { protocol: 'TCP', address: '127.0.0.1', port: 0 },
        ],
        user,
      });
      const sendResponse = layer.sendResponse.bind(layer);
      layer.sendResponse = (response, flow) => {
        const via = response.via[0];
        if (via) {
          via.params['received'] = flow.remoteAddress;
          via.params['rport'] = String(flow.remotePort);
        }
        return sendResponse(response, flow);
      };
      return layer;
    },
  });
  server.use('REGISTER', digestAuth({ realm: 'example.com', lookup: async () => undefined }));
  server.register(async (_req, res) => res.send(200));
  server.options(async (_req, res) => res.send(200));
  server.invite(async (_req, res) => res.send(486));
  await server.listen();
  const portOf = (protocol: string) =>
    server.listeningPoints.find((lp) => lp.protocol === protocol)?.port ?? 0;
  return { server, udpPort: portOf('UDP'), tcpPort: portOf('TCP') };
}

/** What the client saw of a response: its status and Call-ID. */
interface Seen {
  status: number;
  callId: string | undefined;
}

/** A client socket: `send` bytes, `next` resolves with the first non-100 response after. */
interface Client {
  send(data: Buffer): void;
  next(): Promise<Seen>;
  close(): void;
}

/** Reads a response as a phone would; an error answer to a broken request may echo that
 * request's broken headers (scalar02's huge CSeq), so only the start line must parse. */
function seen(data: Buffer): Seen | undefined {
  const parsed = parseMessage(data);
  if (parsed.ok) {
    return parsed.message.kind === 'response'
      ? { status: parsed.message.status, callId: parsed.message.callId }
      : undefined;
  }
  const text = data.toString('latin1');
  const status = /^SIP\/2\.0 (\d{3}) /.exec(text)?.[1];
  if (status === undefined) return undefined;
  return { status: Number(status), callId: /^(?:Call-ID|i)[ \t]*:[ \t]*(\S+)/im.exec(text)?.[1] };
}

function collect(onData: (fn: (data: Buffer) => void) => void): () => Promise<Seen> {
  const queue: Seen[] = [];
  const waiting: Array<(r: Seen) => void> = [];
  onData((data) => {
    const response = seen(data);
    if (!response || response.status === 100) return;
    const resolve = waiting.shift();
    if (resolve) resolve(response);
    else queue.push(response);
  });
  return () => {
    const ready = queue.shift();
    return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
  };
}

async function udpClient(port: number): Promise<Client> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const next = collect((fn) => socket.on('message', fn));
  return {
    send: (data) => socket.send(data, port, '127.0.0.1'),
    next,
    close: () => socket.close(),
  };
}

// Stream transports frame by Content-Length (RFC 3261 §18.3), so the messages whose top
// Via says TCP go over TCP: stateless answers to unparseable ones come back on the connection.
async function tcpClient(port: number): Promise<Client> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const framer = new StreamFramer({ maxMessageSize: 65_535 });
  const next = collect((fn) =>
    socket.on('data', (chunk: Buffer) => {
      for (const out of framer.push(chunk)) if (out.kind === 'message') fn(out.data);
    }),
  );
  return { send: (data) => socket.write(data), next, close: () => socket.destroy() };
}

const probe = (callId: string, transport: string) =>
  Buffer.from(
    [
      'OPTIONS sip:probe@127.0.0.1 SIP/2.0',
      `Via: SIP/2.0/${transport} 127.0.0.1:9;rport;branch=z9hG4bK-${callId}`,
      'Max-Forwards: 70',
      'From: <sip:probe@127.0.0.1>;tag=p',
      'To: <sip:probe@127.0.0.1>',
      `Call-ID: ${callId}`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );

for (const vector of rfc4475Vectors) {
  const bytes = readVector(vector);
  const method = /^([^ ]+) /.exec(bytes.toString('latin1'))?.[1] ?? '';
  const expected = vector.expectedResponse ?? handlerAnswer[method] ?? 0;
  const overTcp = /^(Via|v)[ \t]*:[ \t]*SIP\/2\.0\/TCP/im.test(bytes.toString('latin1'));
  test.serial(
    `§${vector.section} ${vector.name} over ${overTcp ? 'TCP' : 'UDP'}: ${expected === 'none' ? 'no response' : expected}`,
    async (t) => {
      // Bounds a missing answer so it fails this test alone; no success waits on it.
      t.timeout(3000);
      const { server, udpPort, tcpPort } = await startServer();
      const client = overTcp ? await tcpClient(tcpPort) : await udpClient(udpPort);
      t.teardown(async () => {
        client.close();
        await server.close();
      });
      const answer = client.next();
      client.send(bytes);
      if (expected === 'none') {
        // Silence: a probe sent after the vector is answered first (no timer needed).
        const callId = `probe-${vector.name}`;
        client.send(probe(callId, overTcp ? 'TCP' : 'UDP'));
        const first = await answer;
        t.is(first.callId, callId);
      } else {
        const response = await answer;
        t.is(response.status, expected, vector.notes);
      }
    },
  );
}
