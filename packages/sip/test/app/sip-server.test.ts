// The server wired end to end over the loop transport with a fake clock: a UAC server sends
// requests to a UAS server through the real transaction layer and serializer.
import test from 'ava';
import { createSipServer, type SipServer } from '../../src/app/sip-server.ts';
import { SipError } from '../../src/app/sip-error.ts';
import { FakeClock } from '../../src/core/clock.ts';
import { sequentialIdGenerator } from '../../src/message/ids.ts';
import type { SipResponse } from '../../src/message/types.ts';
import { LoopNetwork } from '../../src/transport/loop.ts';
import type { Target } from '../../src/transport/types.ts';
import { TransactionLayer } from '../../src/transaction/transaction-layer.ts';
import type { InviteClientTransaction } from '../../src/transaction/client-invite.ts';
import { request } from './fixtures.ts';

const uasTarget: Target = { protocol: 'UDP', address: '10.0.0.1', port: 5060 };

async function setup(protocols: Array<'UDP' | 'TCP'> = ['UDP']) {
  const clock = new FakeClock();
  const network = new LoopNetwork({ clock });
  const make = (address: string, prefix: string): SipServer =>
    createSipServer({
      listen: [],
      clock,
      ids: sequentialIdGenerator(prefix),
      transport: (user) => network.endpoint({ address, protocols, user }),
    });
  const uas = make('10.0.0.1', 'uas-');
  const uac = make('10.0.0.2', 'uac-');
  return { clock, network, uas, uac, start: () => Promise.all([uas.listen(), uac.listen()]) };
}

/** Lets queued microtasks (loop deliveries, handler continuations) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

test('a request reaches the handler and its final response resolves server.request', async (t) => {
  const { uas, uac, start } = await setup();
  uas.options(async (req, res) => {
    t.is(req.flow.remoteAddress, '10.0.0.2');
    await res.send(200, undefined, { headers: { 'X-Seen': req.get('X-Probe') ?? '' } });
  });
  await start();
  const response = await uac.request(uasTarget, {
    method: 'OPTIONS',
    uri: 'sip:10.0.0.1',
    headers: { 'X-Probe': 'p1' },
  });
  t.is(response.status, 200);
  t.deepEqual(response.headers.find((h) => h.name === 'X-Seen')?.value, 'p1');
  t.truthy(response.headers.find((h) => h.name === 'Allow')?.value.includes('OPTIONS'));
});

test('provisional responses reach onProvisional before the final one', async (t) => {
  const { uas, uac, start } = await setup();
  uas.on('MESSAGE', async (_req, res) => {
    await res.send(180);
    await res.send(202);
  });
  await start();
  const seen: number[] = [];
  const response = await uac.request(uasTarget, {
    method: 'MESSAGE',
    uri: 'sip:bob@10.0.0.1',
    headers: { 'Content-Type': 'text/plain' },
    body: 'hi',
    onProvisional: (r) => seen.push(r.status),
  });
  seen.push(response.status);
  t.deepEqual(seen, [180, 202]);
});

test('UAC retransmits over UDP on Timer E until the request gets through (RFC 3261 §17.1.2.2)', async (t) => {
  const { uas, uac, start, clock, network } = await setup();
  let handled = 0;
  uas.options(async (_req, res) => {
    handled++;
    await res.send(200);
  });
  await start();
  let requestsSeen = 0;
  // The first two copies of the request are lost.
  network.setRule((p) => (p.to.address === '10.0.0.1' && ++requestsSeen <= 2 ? 'drop' : undefined));
  let response: SipResponse | undefined;
  void uac
    .request(uasTarget, { method: 'OPTIONS', uri: 'sip:10.0.0.1' })
    .then((r) => (response = r));
  await settle();
  t.is(response, undefined);
  clock.advance(500); // Timer E: T1, second copy (lost)
  await settle();
  t.is(response, undefined);
  clock.advance(1000); // 2·T1, third copy arrives
  await settle();
  t.is(response?.status, 200);
  t.is(handled, 1);
  t.is(requestsSeen, 3);
});

test('a request that is never answered resolves as 408 after Timer F (RFC 3261 §8.1.3.1)', async (t) => {
  const { uac, start, clock, network } = await setup();
  await start();
  network.setRule(() => 'drop');
  let response: SipResponse | undefined;
  void uac
    .request(uasTarget, { method: 'OPTIONS', uri: 'sip:10.0.0.1' })
    .then((r) => (response = r));
  await settle();
  clock.advance(31_999);
  await settle();
  t.is(response, undefined);
  clock.advance(1);
  await settle();
  t.is(response?.status, 408);
});

test('SipError and exceptions thrown in handlers travel back as responses', async (t) => {
  const { uas, uac, start } = await setup();
  uas.register(() => {
    throw new SipError(403, 'Not Yours');
  });
  uas.options(() => {
    throw new Error('boom');
  });
  await start();
  const forbidden = await uac.request(uasTarget, { method: 'REGISTER', uri: 'sip:10.0.0.1' });
  t.deepEqual([forbidden.status, forbidden.reason], [403, 'Not Yours']);
  const failed = await uac.request(uasTarget, { method: 'OPTIONS', uri: 'sip:10.0.0.1' });
  t.is(failed.status, 500);
});

test('a CANCEL matching no transaction gets 481 (RFC 3261 §9.2)', async (t) => {
  const { uas, uac, start } = await setup();
  uas.invite(async (_req, res) => res.send(180));
  await start();
  void uac.request(uasTarget, { method: 'INVITE', uri: 'sip:bob@10.0.0.1', callId: 'c1', cseq: 7 });
  // Same Call-ID and CSeq but a fresh branch: no transaction matches.
  const stray = await uac.request(uasTarget, {
    method: 'CANCEL',
    uri: 'sip:bob@10.0.0.1',
    callId: 'c1',
    cseq: 7,
  });
  t.is(stray.status, 481);
});

test('a CANCEL ends a pending INVITE with 487 and tells the handler (RFC 3261 §9.2)', async (t) => {
  const { uas, start, network, clock } = await setup();
  let cancelled = false;
  let ringing!: () => void;
  const rang = new Promise<void>((resolve) => (ringing = resolve));
  uas.invite(async (req, res) => {
    req.onCancel(() => (cancelled = true));
    await res.send(180);
    ringing();
  });
  await start();
  // A bare transaction layer as the UAC, so the CANCEL is built from the INVITE (§9.1).
  const statuses: string[] = [];
  const layer: TransactionLayer = new TransactionLayer({
    clock,
    transport: network.endpoint({
      address: '10.0.0.3',
      user: {
        onRequest: (i) => layer.receiveRequest(i),
        onResponse: (i) => layer.receiveResponse(i),
      },
    }),
    user: { onRequest: () => {} },
  });
  const invite = request('INVITE', {
    via: [
      {
        protocol: 'SIP/2.0',
        transport: 'UDP',
        host: '10.0.0.3',
        port: 5060,
        params: { branch: 'z9hG4bK-inv' },
      },
    ],
    headers: [],
  });
  const record = (label: string) => ({
    onResponse: ({ message }: { message: SipResponse }) =>
      void statuses.push(`${label} ${message.status}`),
    onFailure: () => void statuses.push(`${label} failed`),
  });
  const tx = layer.sendRequest(invite, uasTarget, record('INVITE'));
  await rang;
  await settle();
  t.true(layer.cancel(tx as InviteClientTransaction, record('CANCEL')));
  await settle();
  t.true(cancelled);
  t.deepEqual(statuses, ['INVITE 180', 'CANCEL 200', 'INVITE 487']);
  layer.close();
});

test('connection-closed listeners hear of a dead stream connection', async (t) => {
  const { uas, uac, start } = await setup(['TCP']);
  const closed: string[] = [];
  uas.onConnectionClosed((id, flow) => closed.push(`${id}:${flow.remoteAddress}`));
  let connectionId: string | undefined;
  uas.register(async (req, res) => {
    connectionId = req.flow.connectionId;
    await res.send(200);
  });
  await start();
  const response = await uac.request(
    { protocol: 'TCP', address: '10.0.0.1', port: 5060 },
    { method: 'REGISTER', uri: 'sip:10.0.0.1' },
  );
  t.is(response.status, 200);
  t.truthy(connectionId);
  await uac.close();
  await settle();
  t.deepEqual(closed, [`${connectionId}:10.0.0.2`]);
});
