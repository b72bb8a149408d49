import test from 'ava';
import type { SipRequest } from '../../src/message/types.ts';
import type { ServerTransactionFailure } from '../../src/transaction/errors.ts';
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

/** A layer with one INVITE received; `answer` runs inside onRequest. */
function inviteReceived(
  protocol: TransportProtocol = 'UDP',
  answer?: (tx: ServerTransaction, request: SipRequest) => void,
) {
  const requests: number[] = [];
  const failures: ServerTransactionFailure[] = [];
  const acks: number[] = [];
  let server: ServerTransaction | undefined;
  const env = setup({
    user: {
      onRequest: (tx, m) => {
        server = tx;
        requests.push(env.clock.now());
        answer?.(tx, m.message);
      },
      onServerFailure: (_tx, failure) => failures.push(failure),
      onAck: () => acks.push(env.clock.now()),
    },
  });
  const invite = makeRequest({ protocol });
  env.layer.receiveRequest(incoming(invite, protocol));
  if (!server) throw new Error('no server transaction');
  return { ...env, invite, tx: server, requests, failures, acks };
}

test('the INVITE server transaction sends 100 Trying after 200 ms when the TU is silent', (t) => {
  const { clock, transport } = inviteReceived();
  clock.advance(199);
  t.deepEqual(transport.times(isResponse(100)), []);
  clock.advance(1);
  t.deepEqual(transport.times(isResponse(100)), [200]);
  const trying = transport.sent[0]!.message;
  t.is(trying.kind === 'response' && trying.to.params['tag'], undefined);
});

test('no 100 Trying is sent when the TU answers within 200 ms', (t) => {
  const { clock, transport, tx, invite } = inviteReceived('UDP', (tx, request) =>
    tx.respond(makeResponse(request, 180)),
  );
  clock.advance(1000);
  t.deepEqual(
    transport.sent.map((s) => (s.message.kind === 'response' ? s.message.status : 0)),
    [180],
  );
  t.is(tx.request, invite);
});

test('a retransmitted INVITE is absorbed and answered with the latest provisional response', (t) => {
  const { clock, transport, layer, invite, requests } = inviteReceived();
  clock.advance(500);
  layer.receiveRequest(incoming(invite));
  t.deepEqual(transport.times(isResponse(100)), [200, 500]);
  t.is(requests.length, 1);
});

test('a non-2xx over UDP is retransmitted with Timer G doubling up to T2 and Timer H reports a failure at 64*T1', (t) => {
  const { clock, transport, tx, invite, failures } = inviteReceived();
  tx.respond(makeResponse(invite, 486));
  clock.advance(40_000);
  t.deepEqual(
    transport.times(isResponse(486)),
    [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
  );
  t.deepEqual(failures, [{ kind: 'timeout', timer: 'H' }]);
  t.is(tx.state, TransactionState.Terminated);
});

test('the ACK for a non-2xx stops retransmissions; later ACKs are absorbed and Timer I ends the transaction at T4', (t) => {
  const { clock, transport, layer, tx, invite, failures, acks } = inviteReceived();
  tx.respond(makeResponse(invite, 404));
  clock.advance(1000);
  const ack = {
    ...invite,
    method: 'ACK',
    cseq: { seq: 1, method: 'ACK' },
    to: { ...invite.to, params: { tag: 'b1' } },
  };
  layer.receiveRequest(incoming(ack));
  t.is(tx.state, TransactionState.Confirmed);
  clock.advance(100);
  layer.receiveRequest(incoming(ack));
  t.deepEqual(acks, []);
  clock.advance(4899);
  t.is(tx.state, TransactionState.Confirmed);
  clock.advance(1);
  t.is(tx.state, TransactionState.Terminated);
  clock.advance(60_000);
  t.deepEqual(transport.times(isResponse(404)), [0, 500]);
  t.deepEqual(failures, []);
});

test('a retransmitted INVITE in Completed gets the final response again', (t) => {
  const { clock, transport, layer, tx, invite } = inviteReceived('TCP');
  tx.respond(makeResponse(invite, 480));
  clock.advance(2000);
  layer.receiveRequest(incoming(invite, 'TCP'));
  t.deepEqual(transport.times(isResponse(480)), [0, 2000]);
});

test('over TCP a non-2xx is not retransmitted, the ACK ends the transaction at once (Timer I is zero), and Timer H still applies', (t) => {
  const first = inviteReceived('TCP');
  first.tx.respond(makeResponse(first.invite, 486));
  first.clock.advance(40_000);
  t.deepEqual(first.transport.times(isResponse(486)), [0]);
  t.deepEqual(first.failures, [{ kind: 'timeout', timer: 'H' }]);

  const second = inviteReceived('TCP');
  second.tx.respond(makeResponse(second.invite, 486));
  const ack = { ...second.invite, method: 'ACK', cseq: { seq: 1, method: 'ACK' } };
  second.layer.receiveRequest(incoming(ack, 'TCP'));
  t.is(second.tx.state, TransactionState.Terminated);
  t.is(second.layer.size, 0);
});

test('after a 2xx the transaction is Accepted: retransmitted INVITEs are absorbed, the TU’s 2xx retransmissions go out, Timer L ends it', (t) => {
  const { clock, transport, layer, tx, invite, requests } = inviteReceived();
  const ok = makeResponse(invite, 200);
  tx.respond(ok);
  t.is(tx.state, TransactionState.Accepted);
  clock.advance(500);
  layer.receiveRequest(incoming(invite));
  tx.respond(ok);
  t.deepEqual(transport.times(isResponse(200)), [0, 500]);
  t.is(requests.length, 1);
  clock.advance(31_499);
  t.is(tx.state, TransactionState.Accepted);
  clock.advance(1);
  t.is(tx.state, TransactionState.Terminated);
  t.is(layer.size, 0);
});

test('a transport error on a non-2xx is reported to the TU and ends the transaction', async (t) => {
  const { transport, tx, invite, failures } = inviteReceived();
  transport.fail = () => true;
  tx.respond(makeResponse(invite, 500));
  await settle();
  t.is(tx.state, TransactionState.Terminated);
  t.is(failures[0]?.kind, 'transport-error');
});

test('a transport error on a 2xx is reported but the transaction stays Accepted (RFC 6026 §7.1)', async (t) => {
  const { transport, tx, invite, failures } = inviteReceived();
  transport.fail = () => true;
  tx.respond(makeResponse(invite, 200));
  await settle();
  t.is(tx.state, TransactionState.Accepted);
  t.is(failures[0]?.kind, 'transport-error');
});
