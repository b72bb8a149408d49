import test from 'ava';
import { TransactionState } from '../../src/transaction/transaction-state.ts';
import {
  incoming,
  isRequest,
  makeRequest,
  makeResponse,
  settle,
  setup,
  tcpTarget,
  udpTarget,
} from './loop-transport.ts';

test('INVITE over UDP is retransmitted at doubling intervals (Timer A) and times out with Timer B at 64*T1', (t) => {
  const { clock, transport, layer, clientUser } = setup();
  const tx = layer.sendRequest(makeRequest(), udpTarget, clientUser);
  clock.advance(40_000);
  // RFC 3261 §17.1.1.2: A doubles without a T2 cap; B = 32 s.
  t.deepEqual(transport.times(isRequest('INVITE')), [0, 500, 1500, 3500, 7500, 15500, 31500]);
  t.deepEqual(clientUser.failures, [
    { at: 32_000, failure: { kind: 'timeout', timer: 'B', status: 408 } },
  ]);
  t.is(tx.state, TransactionState.Terminated);
  t.is(layer.size, 0);
});

test('INVITE over TCP is sent once and still times out with Timer B', (t) => {
  const { clock, transport, layer, clientUser } = setup();
  layer.sendRequest(makeRequest({ protocol: 'TCP' }), tcpTarget, clientUser);
  clock.advance(40_000);
  t.deepEqual(transport.times(isRequest('INVITE')), [0]);
  t.deepEqual(
    clientUser.failures.map((f) => f.at),
    [32_000],
  );
});

test('a provisional response stops INVITE retransmissions and Timer B', (t) => {
  const { clock, transport, layer, clientUser } = setup();
  const invite = makeRequest();
  const tx = layer.sendRequest(invite, udpTarget, clientUser);
  clock.advance(600);
  layer.receiveResponse(incoming(makeResponse(invite, 180)));
  clock.advance(60_000);
  t.deepEqual(transport.times(isRequest('INVITE')), [0, 500]);
  t.is(tx.state, TransactionState.Proceeding);
  t.deepEqual(clientUser.responses, [{ at: 600, status: 180 }]);
  t.deepEqual(clientUser.failures, []);
});

test('a non-2xx final response is acknowledged by the transaction with an ACK built per §17.1.1.3', (t) => {
  const { clock, transport, layer, clientUser } = setup();
  const invite = makeRequest();
  layer.sendRequest(invite, udpTarget, clientUser);
  clock.advance(100);
  layer.receiveResponse(incoming(makeResponse(invite, 486, 'uas-tag')));
  const acks = transport.sent.filter((s) => isRequest('ACK')(s.message));
  t.is(acks.length, 1);
  const ack = acks[0]!.message;
  if (ack.kind !== 'request') return t.fail();
  t.deepEqual(ack.uri, invite.uri);
  t.deepEqual(ack.via, [invite.via[0]]);
  t.deepEqual(ack.cseq, { seq: 1, method: 'ACK' });
  t.is(ack.to.params['tag'], 'uas-tag');
  t.deepEqual(ack.from, invite.from);
  t.is(ack.callId, invite.callId);
  t.deepEqual(ack.route, invite.route);
  t.deepEqual(clientUser.responses, [{ at: 100, status: 486 }]);
});

test('a retransmitted non-2xx is acknowledged again but not passed to the TU, until Timer D ends the transaction at 32 s', (t) => {
  const { clock, transport, layer, clientUser } = setup();
  const invite = makeRequest();
  const tx = layer.sendRequest(invite, udpTarget, clientUser);
  const busy = makeResponse(invite, 486);
  layer.receiveResponse(incoming(busy));
  clock.advance(1000);
  layer.receiveResponse(incoming(busy));
  t.deepEqual(transport.times(isRequest('ACK')), [0, 1000]);
  t.is(clientUser.responses.length, 1);
  clock.advance(30_999);
  t.is(tx.state, TransactionState.Completed);
  clock.advance(1);
  t.is(tx.state, TransactionState.Terminated);
  t.deepEqual(transport.times(isRequest('INVITE')), [0]);
});

test('over TCP a non-2xx is acknowledged and the transaction ends at once (Timer D is zero)', (t) => {
  const { transport, layer, clientUser } = setup();
  const invite = makeRequest({ protocol: 'TCP' });
  const tx = layer.sendRequest(invite, tcpTarget, clientUser);
  layer.receiveResponse(incoming(makeResponse(invite, 603), 'TCP'));
  t.deepEqual(transport.times(isRequest('ACK')), [0]);
  t.is(tx.state, TransactionState.Terminated);
  t.is(layer.size, 0);
});

test('a 2xx moves the INVITE to Accepted, where 2xx retransmissions reach the TU without an ACK, until Timer M', (t) => {
  const strays: number[] = [];
  const { clock, transport, layer, clientUser } = setup({
    user: { onStrayResponse: (m) => strays.push(m.message.status) },
  });
  const invite = makeRequest();
  const tx = layer.sendRequest(invite, udpTarget, clientUser);
  const ok = makeResponse(invite, 200);
  clock.advance(200);
  layer.receiveResponse(incoming(ok));
  t.is(tx.state, TransactionState.Accepted);
  clock.advance(500);
  layer.receiveResponse(incoming(ok));
  t.deepEqual(clientUser.responses, [
    { at: 200, status: 200 },
    { at: 700, status: 200 },
  ]);
  t.deepEqual(transport.times(isRequest('ACK')), []);
  t.deepEqual(transport.times(isRequest('INVITE')), [0]);
  // RFC 6026 §8.4: Timer M = 64*T1 from entering Accepted.
  clock.advance(31_499);
  t.is(tx.state, TransactionState.Accepted);
  clock.advance(1);
  t.is(tx.state, TransactionState.Terminated);
  layer.receiveResponse(incoming(ok));
  t.deepEqual(strays, [200]);
});

test('a transport error on the INVITE is reported like a 503 and ends the transaction', async (t) => {
  const { transport, layer, clientUser } = setup();
  transport.fail = () => true;
  const tx = layer.sendRequest(makeRequest(), udpTarget, clientUser);
  await settle();
  t.is(tx.state, TransactionState.Terminated);
  t.is(clientUser.failures.length, 1);
  t.like(clientUser.failures[0]!.failure, { kind: 'transport-error', status: 503 });
});
