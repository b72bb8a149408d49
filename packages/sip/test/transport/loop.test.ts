import test from 'ava';
import { FakeClock } from '../../src/core/clock.ts';
import { createResponse, parseMessage } from '../../src/message/index.ts';
import type { SipRequest } from '../../src/message/types.ts';
import { LoopNetwork, TransportError } from '../../src/transport/index.ts';
import { Inbox, requestText } from './helpers.ts';

function request(callId: string, via = 'SIP/2.0/UDP x;branch=z9hG4bK1'): SipRequest {
  const p = parseMessage(Buffer.from(requestText({ via, callId })));
  if (!p.ok || p.message.kind !== 'request') throw new Error('fixture does not parse');
  return p.message;
}

function pair(protocols: Array<'UDP' | 'TCP'> = ['UDP']) {
  const clock = new FakeClock();
  const network = new LoopNetwork({ clock });
  const aliceInbox = new Inbox();
  const bobInbox = new Inbox();
  const alice = network.endpoint({ address: '10.0.0.1', protocols, user: aliceInbox });
  const bob = network.endpoint({ address: '10.0.0.2', port: 5070, protocols, user: bobInbox });
  return { clock, network, alice, bob, aliceInbox, bobInbox };
}

test('a request and its response cross the loop as bytes, through the parser', async (t) => {
  const { network, alice, bob, aliceInbox, bobInbox } = pair();
  await alice.sendRequest(request('loop-1'), { protocol: 'UDP', address: '10.0.0.2', port: 5070 });
  t.regex(
    network.sent[0]?.data.toString() ?? '',
    /^OPTIONS sip:service@127\.0\.0\.1 SIP\/2\.0\r\nVia: SIP\/2\.0\/UDP 10\.0\.0\.1:5060;/,
  );
  const incoming = await bobInbox.requests.next();
  t.like(incoming.flow, { remoteAddress: '10.0.0.1', remotePort: 5060, localPort: 5070 });
  t.is(incoming.message.via[0]?.params['rport'], '5060');
  await bob.sendResponse(createResponse(incoming.message, 200, 'OK'), incoming.flow);
  t.is((await aliceInbox.responses.next()).message.callId, 'loop-1');
});

test('a dropped packet never arrives; the next one does', async (t) => {
  const { network, alice, bobInbox } = pair();
  network.setRule((p) => (p.data.includes('drop-me') ? 'drop' : undefined));
  const target = { protocol: 'UDP' as const, address: '10.0.0.2', port: 5070 };
  await alice.sendRequest(request('drop-me'), target);
  await alice.sendRequest(request('keep-me'), target);
  t.is((await bobInbox.requests.next()).message.callId, 'keep-me');
  t.is(network.sent.length, 2);
});

test('a delayed packet arrives when the fake clock reaches the delay', async (t) => {
  const { clock, network, alice, bobInbox } = pair();
  network.setRule(() => ({ delayMs: 500 }));
  await alice.sendRequest(request('late'), { protocol: 'UDP', address: '10.0.0.2', port: 5070 });
  clock.advance(499);
  t.is(bobInbox.requests.items.length, 0);
  clock.advance(1);
  t.is(bobInbox.requests.items.length, 1);
});

test('a failing send rejects with a TransportError (RFC 3261 §17.1.4)', async (t) => {
  const { network, alice } = pair();
  network.setRule(() => 'fail');
  await t.throwsAsync(
    alice.sendRequest(request('x'), { protocol: 'UDP', address: '10.0.0.2', port: 5070 }),
    {
      instanceOf: TransportError,
    },
  );
});

test('a malformed request on the loop is answered 400 by the receiving transport', async (t) => {
  const { network, alice, aliceInbox, bobInbox } = pair();
  network.setRule((p) => {
    // Corrupt the request on the wire; its 400 answer comes back to Alice.
    if (p.data.toString().startsWith('OPTIONS'))
      p.data.write('Max-Forwards: xx', p.data.indexOf('Max-Forwards: 70'));
    return undefined;
  });
  await alice.sendRequest(request('corrupt'), { protocol: 'UDP', address: '10.0.0.2', port: 5070 });
  const answer = await aliceInbox.responses.next();
  t.is(answer.message.status, 400);
  t.is(bobInbox.requests.items.length, 0);
});

test('TCP on the loop: responses use the connection, and a disconnect is reported on both sides', async (t) => {
  const { network, alice, bob, aliceInbox, bobInbox } = pair(['TCP']);
  const flow = await alice.sendRequest(request('tcp', 'SIP/2.0/TCP x;branch=z9hG4bK2'), {
    protocol: 'TCP',
    address: '10.0.0.2',
    port: 5070,
  });
  const incoming = await bobInbox.requests.next();
  t.truthy(incoming.flow.connectionId);
  await bob.sendResponse(createResponse(incoming.message, 200, 'OK'), incoming.flow);
  t.is((await aliceInbox.responses.next()).flow.connectionId, flow.connectionId ?? 'missing');

  network.disconnect(alice, flow.connectionId ?? '');
  t.is((await aliceInbox.closed.next()).connectionId, flow.connectionId ?? 'missing');
  t.is((await bobInbox.closed.next()).connectionId, incoming.flow.connectionId ?? 'missing');
});
