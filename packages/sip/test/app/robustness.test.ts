// Random mutations of valid requests fed to a running server through the transport's receive
// path never crash it: afterwards it still answers a valid OPTIONS. (The 100,000-run
// parser-only property lives with the message layer.)
import test from 'ava';
import fc from 'fast-check';
import { createSipServer } from '../../src/app/sip-server.ts';
import { FakeClock } from '../../src/core/clock.ts';
import { LoopNetwork } from '../../src/transport/loop.ts';
import type { TransportCore } from '../../src/transport/transport-core.ts';

const valid = [
  'OPTIONS sip:alice@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK-a\r\nMax-Forwards: 70\r\nFrom: <sip:bob@example.com>;tag=1\r\nTo: <sip:alice@example.com>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
  'INVITE sip:alice@10.0.0.1 SIP/2.0\r\nv: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK-b\r\nMax-Forwards: 70\r\nf: <sip:bob@example.com>;tag=2\r\nt: <sip:alice@example.com>\r\ni: c2\r\nCSeq: 1 INVITE\r\nRequire: 100rel\r\nc: application/sdp\r\nl: 4\r\n\r\nv=0\r\n',
  'REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK-c;rport\r\nMax-Forwards: 70\r\nFrom: <sip:bob@example.com>;tag=3\r\nTo: <sip:bob@example.com>\r\nCall-ID: c3\r\nCSeq: 9 REGISTER\r\nContact: <sip:bob@10.0.0.9>;expires=60\r\nContent-Length: 0\r\n\r\n',
].map((m) => Buffer.from(m, 'latin1'));

const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.constantFrom(';', ',', ':', '<', '"', '\r\n', ' ', '%', '\0', 'SIP/2.0', '='),
  }),
);

type Edit =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; text: string };

function mutate(base: Buffer, edits: readonly Edit[]): Buffer {
  let out = Buffer.from(base);
  for (const e of edits) {
    const at = e.at % (out.length + 1);
    if (e.kind === 'flip') {
      if (out.length > 0) out[at % out.length] = e.byte;
    } else if (e.kind === 'cut') out = out.subarray(0, at);
    else
      out = Buffer.concat([out.subarray(0, at), Buffer.from(e.text, 'latin1'), out.subarray(at)]);
  }
  return out;
}

test('2,000 mutated requests do not stop the server answering', async (t) => {
  const clock = new FakeClock();
  const network = new LoopNetwork({ clock });
  let core: TransportCore | undefined;
  const uas = createSipServer({
    listen: [],
    clock,
    transport: (user) => (core = network.endpoint({ address: '10.0.0.1', user })),
  });
  uas.options(async (_req, res) => res.send(200));
  uas.invite(async (_req, res) => res.send(486));
  uas.register(async (req, res) => {
    if (req.get('Expires') === 'boom') throw new Error('handler bug');
    await res.send(200, undefined, { contact: req.message.contact });
  });
  const uac = createSipServer({
    listen: [],
    clock,
    transport: (user) => network.endpoint({ address: '10.0.0.2', user }),
  });
  await Promise.all([uas.listen(), uac.listen()]);
  const flow = {
    protocol: 'UDP' as const,
    remoteAddress: '10.0.0.9',
    remotePort: 5060,
    localAddress: '10.0.0.1',
    localPort: 5060,
  };

  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...valid),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      async (base, edits) => {
        core?.onMessage(mutate(base, edits), flow);
        for (let i = 0; i < 5; i++) await Promise.resolve();
      },
    ),
    { numRuns: 2000 },
  );
  clock.advance(64_000); // let every transaction the mutations started run out

  const response = await uac.request(
    { protocol: 'UDP', address: '10.0.0.1', port: 5060 },
    { method: 'OPTIONS', uri: 'sip:10.0.0.1' },
  );
  t.is(response.status, 200);
  await Promise.all([uas.close(), uac.close()]);
});
