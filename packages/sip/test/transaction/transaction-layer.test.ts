import test from 'ava';
import type { SipRequest } from '../../src/message/types.ts';
import { InviteClientTransaction } from '../../src/transaction/client-invite.ts';
import type { InviteServerTransaction } from '../../src/transaction/server-invite.ts';
import type { ServerTransaction } from '../../src/transaction/server-transaction.ts';
import { TransactionLayer } from '../../src/transaction/transaction-layer.ts';
import { TransactionState } from '../../src/transaction/transaction-state.ts';
import { FakeClock } from '../../src/core/clock.ts';
import {
  incoming,
  isRequest,
  isResponse,
  LoopTransport,
  makeRequest,
  makeResponse,
  RecordingClientUser,
  setup,
  udpTarget,
} from './loop-transport.ts';

function statuses(transport: LoopTransport): number[] {
  return transport.sent.map((s) => (s.message.kind === 'response' ? s.message.status : 0));
}

test('a CANCEL matching a pending INVITE is answered 200 and passed to the TU with the INVITE transaction', (t) => {
  const cancelled: InviteServerTransaction[] = [];
  let inviteTx: ServerTransaction | undefined;
  const { transport, layer } = setup({
    user: { onRequest: (tx) => (inviteTx = tx), onCancel: (tx) => cancelled.push(tx) },
  });
  const invite = makeRequest();
  layer.receiveRequest(incoming(invite));
  inviteTx!.respond(makeResponse(invite, 180, 'uas-tag'));
  layer.receiveRequest(
    incoming({ ...invite, method: 'CANCEL', cseq: { seq: 1, method: 'CANCEL' } }),
  );
  t.deepEqual(cancelled, [inviteTx as InviteServerTransaction]);
  t.deepEqual(statuses(transport), [180, 200]);
  const ok = transport.sent[1]!.message;
  // RFC 3261 §9.2: the 200 to CANCEL carries the To tag of the INVITE's response.
  t.true(
    ok.kind === 'response' && ok.cseq.method === 'CANCEL' && ok.to.params['tag'] === 'uas-tag',
  );
});

test('a CANCEL matching no transaction is answered 481', (t) => {
  const cancelled: unknown[] = [];
  const { transport, layer } = setup({ user: { onCancel: (tx) => cancelled.push(tx) } });
  layer.receiveRequest(incoming(makeRequest({ method: 'CANCEL', branch: 'z9hG4bK-unknown' })));
  t.deepEqual(statuses(transport), [481]);
  t.deepEqual(cancelled, []);
});

test('a CANCEL after the final response is answered 200 without troubling the TU', (t) => {
  const cancelled: unknown[] = [];
  let inviteTx: ServerTransaction | undefined;
  const { transport, layer } = setup({
    user: { onRequest: (tx) => (inviteTx = tx), onCancel: (tx) => cancelled.push(tx) },
  });
  const invite = makeRequest();
  layer.receiveRequest(incoming(invite));
  inviteTx!.respond(makeResponse(invite, 486));
  layer.receiveRequest(
    incoming({ ...invite, method: 'CANCEL', cseq: { seq: 1, method: 'CANCEL' } }),
  );
  t.deepEqual(statuses(transport), [486, 200]);
  t.deepEqual(cancelled, []);
});

test('an ACK for a 2xx has its own branch and goes to the TU, not to the INVITE transaction', (t) => {
  const acks: SipRequest[] = [];
  let inviteTx: ServerTransaction | undefined;
  const { layer } = setup({
    user: { onRequest: (tx) => (inviteTx = tx), onAck: (m) => acks.push(m.message) },
  });
  const invite = makeRequest();
  layer.receiveRequest(incoming(invite));
  inviteTx!.respond(makeResponse(invite, 200));
  const ack = makeRequest({ method: 'ACK', branch: 'z9hG4bK-ack', toTag: 'b1' });
  layer.receiveRequest(incoming(ack));
  t.deepEqual(acks, [ack]);
  t.is(inviteTx!.state, TransactionState.Accepted);
});

test('an RFC 2543 INVITE (no magic cookie) is matched by Request-URI, tags, Call-ID, CSeq and top Via', (t) => {
  const created: ServerTransaction[] = [];
  const { transport, layer } = setup({ user: { onRequest: (tx) => created.push(tx) } });
  const invite = makeRequest({ branch: 'old-branch-1' });
  layer.receiveRequest(incoming(invite));
  created[0]!.respond(makeResponse(invite, 180, 'uas-tag'));
  // A retransmission, rebuilt as a separate object, is absorbed and answered again.
  layer.receiveRequest(incoming(makeRequest({ branch: 'old-branch-1' })));
  t.is(created.length, 1);
  t.deepEqual(transport.times(isResponse(180)), [0, 0]);
  // Another From tag is another request.
  layer.receiveRequest(incoming(makeRequest({ branch: 'old-branch-1', fromTag: 'other' })));
  t.is(created.length, 2);
});

test('an RFC 2543 ACK matches the INVITE transaction only with the To tag of the response sent', (t) => {
  const created: ServerTransaction[] = [];
  const acks: unknown[] = [];
  const { layer } = setup({
    user: { onRequest: (tx) => created.push(tx), onAck: (m) => acks.push(m) },
  });
  const invite = makeRequest({ branch: 'old-branch-2' });
  layer.receiveRequest(incoming(invite));
  const tx = created[0]!;
  tx.respond(makeResponse(invite, 404, 'uas-tag'));
  layer.receiveRequest(
    incoming(makeRequest({ method: 'ACK', branch: 'old-branch-2', toTag: 'wrong-tag' })),
  );
  t.is(tx.state, TransactionState.Completed);
  t.is(acks.length, 1);
  layer.receiveRequest(
    incoming(makeRequest({ method: 'ACK', branch: 'old-branch-2', toTag: 'uas-tag' })),
  );
  t.is(tx.state, TransactionState.Confirmed);
});

test('cancel() waits for a provisional response, then sends a CANCEL built per §9.1', (t) => {
  const { clock, transport, layer, clientUser } = setup();
  const invite = makeRequest();
  const tx = layer.sendRequest(invite, udpTarget, clientUser);
  if (!(tx instanceof InviteClientTransaction)) return t.fail();
  const cancelUser = new RecordingClientUser(clock);
  t.true(layer.cancel(tx, cancelUser));
  t.deepEqual(transport.times(isRequest('CANCEL')), []);
  clock.advance(700);
  layer.receiveResponse(incoming(makeResponse(invite, 180)));
  t.deepEqual(transport.times(isRequest('CANCEL')), [700]);
  const cancel = transport.sent.find((s) => isRequest('CANCEL')(s.message))!.message;
  if (cancel.kind !== 'request') return t.fail();
  t.deepEqual(cancel.via, [invite.via[0]]);
  t.deepEqual(cancel.cseq, { seq: 1, method: 'CANCEL' });
  t.deepEqual(
    [cancel.uri, cancel.from, cancel.to, cancel.callId, cancel.route],
    [invite.uri, invite.from, invite.to, invite.callId, invite.route],
  );
  // The CANCEL's own response goes to its own transaction (same branch, other method).
  layer.receiveResponse(incoming(makeResponse(cancel, 200)));
  t.deepEqual(cancelUser.responses, [{ at: 700, status: 200 }]);
  t.deepEqual(clientUser.responses, [{ at: 700, status: 180 }]);
});

test('cancel() refuses once the INVITE has its final response', (t) => {
  const { layer, clientUser } = setup();
  const invite = makeRequest();
  const tx = layer.sendRequest(invite, udpTarget, clientUser);
  layer.receiveResponse(incoming(makeResponse(invite, 486)));
  t.false(layer.cancel(tx as InviteClientTransaction, clientUser));
});

test('over a lossy loop, a dropped INVITE is retransmitted, its duplicate absorbed, and the call set up once', (t) => {
  const clock = new FakeClock();
  const uacWire = new LoopTransport(clock);
  const uasWire = new LoopTransport(clock);
  uacWire.delay = uasWire.delay = 20;
  const offered: number[] = [];
  const uas = new TransactionLayer({
    transport: uasWire,
    clock,
    user: {
      onRequest: (tx, m) => (offered.push(clock.now()), tx.respond(makeResponse(m.message, 180))),
    },
  });
  const uac = new TransactionLayer({ transport: uacWire, clock, user: { onRequest: () => {} } });
  uacWire.peer = uas;
  uasWire.peer = uac;
  let firstInvite = true;
  uacWire.drop = (m) =>
    m.kind === 'request' && m.method === 'INVITE' && (firstInvite ? !(firstInvite = false) : false);
  // The first 180 is lost too, so the UAC retransmits again and the UAS absorbs it.
  let first180 = true;
  uasWire.drop = (m) =>
    m.kind === 'response' && m.status === 180 && (first180 ? !(first180 = false) : false);

  const user = new RecordingClientUser(clock);
  const tx = uac.sendRequest(makeRequest(), udpTarget, user);
  clock.advance(3000);
  t.deepEqual(uacWire.times(isRequest('INVITE')), [0, 500, 1500]);
  t.deepEqual(uasWire.times(isResponse(180)), [520, 1520]);
  t.is(offered.length, 1);
  t.deepEqual(user.responses, [{ at: 1540, status: 180 }]);
  t.is(tx.state, TransactionState.Proceeding);
  uac.close();
  uas.close();
  t.is(clock.pending, 0);
});
