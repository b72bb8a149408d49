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

test('a non-INVITE over UDP is retransmitted with Timer E doubling up to T2 and times out with Timer F at 64*T1', (t) => {
  const { clock, transport, layer, clientUser } = setup();
  layer.sendRequest(makeRequest({ method: 'OPTIONS' }), udpTarget, clientUser);
  clock.advance(40_000);
  t.deepEqual(
    transport.times(isRequest('OPTIONS')),
    [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
  );
  t.deepEqual(clientUser.failures, [
    { at: 32_000, failure: { kind: 'timeout', timer: 'F', status: 408 } },
  ]);
  t.is(layer.size, 0);
});

test('after a provisional response a non-INVITE is retransmitted every T2', (t) => {
  const { clock, transport, layer, clientUser } = setup();
  const request = makeRequest({ method: 'BYE' });
  const tx = layer.sendRequest(request, udpTarget, clientUser);
  clock.advance(1000);
  layer.receiveResponse(incoming(makeResponse(request, 100)));
  t.is(tx.state, TransactionState.Proceeding);
  clock.advance(40_000);
  // E was due at 1.5 s; from then on it is reset to T2 (4 s).
  t.deepEqual(
    transport.times(isRequest('BYE')),
    [0, 500, 1500, 5500, 9500, 13500, 17500, 21500, 25500, 29500],
  );
  t.deepEqual(
    clientUser.failures.map((f) => f.at),
    [32_000],
  );
});

test('a non-INVITE over TCP is sent once, times out with Timer F, and ends at once on a final response (Timer K is zero)', (t) => {
  const { clock, transport, layer, clientUser } = setup();
  const first = layer.sendRequest(
    makeRequest({ method: 'OPTIONS', protocol: 'TCP' }),
    tcpTarget,
    clientUser,
  );
  clock.advance(40_000);
  t.deepEqual(transport.times(isRequest('OPTIONS')), [0]);
  t.is(first.state, TransactionState.Terminated);
  t.deepEqual(
    clientUser.failures.map((f) => f.at),
    [32_000],
  );

  const request = makeRequest({ method: 'OPTIONS', protocol: 'TCP', branch: 'z9hG4bK-2' });
  const second = layer.sendRequest(request, tcpTarget, clientUser);
  layer.receiveResponse(incoming(makeResponse(request, 200), 'TCP'));
  t.is(second.state, TransactionState.Terminated);
  t.is(layer.size, 0);
});

test('a non-INVITE final response over UDP is passed up once; retransmissions are absorbed until Timer K at T4', (t) => {
  const { clock, transport, layer, clientUser } = setup();
  const request = makeRequest({ method: 'REGISTER' });
  const tx = layer.sendRequest(request, udpTarget, clientUser);
  const ok = makeResponse(request, 200);
  clock.advance(300);
  layer.receiveResponse(incoming(ok));
  clock.advance(1000);
  layer.receiveResponse(incoming(ok));
  t.deepEqual(clientUser.responses, [{ at: 300, status: 200 }]);
  t.is(tx.state, TransactionState.Completed);
  clock.advance(3999);
  t.is(tx.state, TransactionState.Completed);
  clock.advance(1);
  t.is(tx.state, TransactionState.Terminated);
  t.deepEqual(transport.times(isRequest('REGISTER')), [0]);
});

test('a transport error on a retransmitted non-INVITE is reported like a 503', async (t) => {
  const { clock, transport, layer, clientUser } = setup();
  const tx = layer.sendRequest(makeRequest({ method: 'OPTIONS' }), udpTarget, clientUser);
  transport.fail = () => true;
  clock.advance(500);
  await settle();
  t.is(tx.state, TransactionState.Terminated);
  t.like(clientUser.failures[0]?.failure, { kind: 'transport-error', status: 503 });
  clock.advance(40_000);
  t.is(clientUser.failures.length, 1);
});

test('a response is matched by branch and CSeq method, so a response for another method is stray', (t) => {
  const strays: string[] = [];
  const { layer, clientUser } = setup({
    user: { onStrayResponse: (m) => strays.push(m.message.cseq.method) },
  });
  const request = makeRequest({ method: 'OPTIONS' });
  layer.sendRequest(request, udpTarget, clientUser);
  const wrongMethod = makeResponse({ ...request, cseq: { seq: 1, method: 'INFO' } }, 200);
  layer.receiveResponse(incoming(wrongMethod));
  t.deepEqual(strays, ['INFO']);
  t.deepEqual(clientUser.responses, []);
});
