import test from 'ava';
import type { ServerTransaction } from '../../src/transaction/server-transaction.ts';
import { TransactionState } from '../../src/transaction/transaction-state.ts';
import type { TransportProtocol } from '../../src/transport/types.ts';
import {
  incoming,
  isResponse,
  makeRequest,
  makeResponse,
  settle,
  setup,
} from './loop-transport.ts';

function requestReceived(protocol: TransportProtocol = 'UDP') {
  let server: ServerTransaction | undefined;
  let count = 0;
  const failures: string[] = [];
  const env = setup({
    user: {
      onRequest: (tx) => {
        server = tx;
        count++;
      },
      onServerFailure: (_tx, f) => failures.push(f.kind),
    },
  });
  const request = makeRequest({ method: 'OPTIONS', protocol });
  env.layer.receiveRequest(incoming(request, protocol));
  if (!server) throw new Error('no server transaction');
  return { ...env, request, tx: server, failures, requests: () => count };
}

test('a retransmitted request in Trying is discarded without an answer', (t) => {
  const { clock, transport, layer, request, requests } = requestReceived();
  clock.advance(500);
  layer.receiveRequest(incoming(request));
  t.deepEqual(transport.sent, []);
  t.is(requests(), 1);
});

test('a retransmitted request in Proceeding gets the last provisional response again', (t) => {
  const { clock, transport, layer, tx, request } = requestReceived();
  tx.respond(makeResponse(request, 100));
  t.is(tx.state, TransactionState.Proceeding);
  clock.advance(500);
  layer.receiveRequest(incoming(request));
  t.deepEqual(transport.times(isResponse(100)), [0, 500]);
});

test('a retransmitted request in Completed gets the final response again until Timer J ends it at 64*T1', (t) => {
  const { clock, transport, layer, tx, request, requests } = requestReceived();
  tx.respond(makeResponse(request, 200));
  clock.advance(1500);
  layer.receiveRequest(incoming(request));
  t.deepEqual(transport.times(isResponse(200)), [0, 1500]);
  tx.respond(makeResponse(request, 500));
  t.deepEqual(transport.times(isResponse(500)), []);
  clock.advance(30_499);
  t.is(tx.state, TransactionState.Completed);
  clock.advance(1);
  t.is(tx.state, TransactionState.Terminated);
  // Once gone, the same request is new to the layer.
  layer.receiveRequest(incoming(request));
  t.is(requests(), 2);
});

test('over TCP a final response ends the server transaction at once (Timer J is zero)', (t) => {
  const { layer, tx, request, transport } = requestReceived('TCP');
  tx.respond(makeResponse(request, 200));
  t.is(tx.state, TransactionState.Terminated);
  t.is(layer.size, 0);
  t.deepEqual(transport.times(isResponse(200)), [0]);
});

test('a transport error on a response is reported to the TU', async (t) => {
  const { transport, tx, request, failures } = requestReceived('TCP');
  transport.fail = () => true;
  tx.respond(makeResponse(request, 200));
  await settle();
  t.deepEqual(failures, ['transport-error']);
});
