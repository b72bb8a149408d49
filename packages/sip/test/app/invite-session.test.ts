// INVITE sessions through the application API, end to end: a UAC server calls a UAS server
// (or a raw peer that forks) over the loop transport with a fake clock, and each test checks
// the messages on the wire — the ACK for a 2xx (RFC 3261 §13.2.2.4), the UAS's 2xx
// retransmission until that ACK (§13.3.1.4), CANCEL (§9), requests within the dialog
// (§12.2.1.1, §14, §15) and the clean-up of 2xx responses nobody wants.
import test from 'ava';
import type { IncomingRequest } from '../../src/app/incoming-request.ts';
import { SipError } from '../../src/app/sip-error.ts';
import { createSipServer, type SipServer } from '../../src/app/sip-server.ts';
import { FakeClock } from '../../src/core/clock.ts';
import { Dialog } from '../../src/dialog/dialog.ts';
import { createResponse } from '../../src/message/builders.ts';
import { sequentialIdGenerator } from '../../src/message/ids.ts';
import { parseMessage } from '../../src/message/parse.ts';
import type { NameAddr, SipMessage, SipRequest, SipResponse } from '../../src/message/types.ts';
import { formatUri, parseUri } from '../../src/message/uri.ts';
import { LoopNetwork, type LoopFate } from '../../src/transport/loop.ts';
import type { IncomingMessage, Target } from '../../src/transport/types.ts';

const UAS = '10.0.0.1';
const UAC = '10.0.0.2';
const PEER = '10.0.0.9';

interface OnWire<M extends SipMessage = SipMessage> {
  /** Milliseconds since the test started. */
  at: number;
  from: string;
  to: string;
  message: M;
  dropped: boolean;
}

type Protocol = 'UDP' | 'TCP';

async function setup(protocol: Protocol = 'UDP') {
  const clock = new FakeClock();
  const started = clock.now();
  const network = new LoopNetwork({ clock });
  const wire: OnWire[] = [];
  /** Decides each message's fate; every message is recorded whatever its fate. */
  const net = { fate: (_message: SipMessage): LoopFate => undefined };
  network.setRule((packet) => {
    const parsed = parseMessage(packet.data);
    if (!parsed.ok) throw new Error(`unparseable message on the wire: ${parsed.error.reason}`);
    const fate = net.fate(parsed.message);
    wire.push({
      at: clock.now() - started,
      from: packet.from.address,
      to: packet.to.address,
      message: parsed.message,
      dropped: fate === 'drop',
    });
    return fate;
  });
  const make = (address: string, prefix: string): SipServer =>
    createSipServer({
      listen: [],
      clock,
      ids: sequentialIdGenerator(prefix),
      transport: (user) => network.endpoint({ address, protocols: [protocol], user }),
    });
  const uas = make(UAS, 'uas-');
  const uac = make(UAC, 'uac-');
  const target: Target = { protocol, address: UAS, port: 5060 };
  const start = async (): Promise<void> => {
    await Promise.all([uas.listen(), uac.listen()]);
  };
  return { clock, network, wire, net, uas, uac, target, start };
}

/** Lets queued microtasks (loop deliveries, handler continuations) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 100; i++) await Promise.resolve();
}

function requests(wire: readonly OnWire[], method: string): OnWire<SipRequest>[] {
  return wire.filter(
    (e): e is OnWire<SipRequest> => e.message.kind === 'request' && e.message.method === method,
  );
}

function responses(wire: readonly OnWire[], status: number, method: string): OnWire<SipResponse>[] {
  return wire.filter(
    (e): e is OnWire<SipResponse> =>
      e.message.kind === 'response' &&
      e.message.status === status &&
      e.message.cseq.method === method,
  );
}

const branchOf = (m: SipMessage): string | null | undefined => m.via[0]?.params['branch'];
const tagOf = (na: NameAddr): string | null | undefined => na.params['tag'];
const header = (m: SipMessage, name: string): string | undefined =>
  m.headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

/** A UAS that answers every INVITE (initial or re-INVITE) with 200 and its Contact, answers
 * BYE with 200, and writes down what it saw. */
function answeringUas(uas: SipServer, options: { body?: string } = {}) {
  const seen = {
    invites: [] as IncomingRequest[],
    acks: [] as IncomingRequest[],
    byes: [] as IncomingRequest[],
    noAck: 0,
  };
  uas.invite(async (req, res) => {
    seen.invites.push(req);
    req.onNoAck(() => seen.noAck++);
    await res.send(200, undefined, {
      contact: [uas.localContact(req.flow.protocol, 'bob')],
      ...(options.body
        ? { body: options.body, headers: { 'Content-Type': 'application/sdp' } }
        : {}),
    });
  });
  uas.on('ACK', async (req) => void seen.acks.push(req));
  uas.bye(async (req, res) => {
    seen.byes.push(req);
    await res.send(200);
  });
  return seen;
}

const offer = 'v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n';
const answer = 'v=0\r\no=- 2 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n';

// --- UAS: 2xx retransmission until the ACK ---------------------------------------------------

test('the UAS resends its 2xx at T1, 2·T1, 4·T1, then every T2, and stops at the ACK (RFC 3261 §13.3.1.4)', async (t) => {
  const h = await setup();
  const seen = answeringUas(h.uas);
  await h.start();
  const invite = h.uac.sendInvite(h.target, { uri: 'sip:bob@10.0.0.1' });
  const final = await invite.final;
  t.is(final.status, 200);
  await settle();
  h.clock.advance(11_500);
  await settle();
  const okTimes = (): number[] => responses(h.wire, 200, 'INVITE').map((e) => e.at);
  t.deepEqual(okTimes(), [0, 500, 1500, 3500, 7500, 11_500]);
  t.is(seen.acks.length, 0);

  invite.ack();
  await settle();
  t.is(seen.acks.length, 1);
  h.clock.advance(60_000);
  await settle();
  t.deepEqual(okTimes(), [0, 500, 1500, 3500, 7500, 11_500], 'no 2xx after the ACK');
  t.is(seen.noAck, 0);
});

test('the ACK for the 2xx has the INVITE CSeq number, a new branch, the 2xx Contact as Request-URI and the dialog tags (RFC 3261 §13.2.2.4)', async (t) => {
  const h = await setup();
  answeringUas(h.uas);
  await h.start();
  const invite = h.uac.sendInvite(h.target, { uri: 'sip:bob@10.0.0.1' });
  const final = await invite.final;
  invite.ack();
  await settle();

  const [sentInvite] = requests(h.wire, 'INVITE');
  const acks = requests(h.wire, 'ACK');
  t.is(acks.length, 1);
  const ack = acks[0]!.message;
  t.is(acks[0]!.to, UAS);
  t.is(formatUri(ack.uri), 'sip:bob@10.0.0.1:5060');
  t.is(formatUri(ack.uri), formatUri(final.contact[0]!.uri));
  t.deepEqual([ack.cseq.seq, ack.cseq.method], [sentInvite!.message.cseq.seq, 'ACK']);
  t.not(branchOf(ack), branchOf(sentInvite!.message));
  t.regex(String(branchOf(ack)), /^z9hG4bK/);
  t.is(ack.callId, sentInvite!.message.callId);
  t.is(tagOf(ack.from), tagOf(sentInvite!.message.from));
  t.is(tagOf(ack.to), tagOf(final.to));
  t.truthy(tagOf(final.to));
  // The INVITE carried our default Contact (RFC 3261 §8.1.1.8).
  t.is(formatUri(sentInvite!.message.contact[0]!.uri), 'sip:10.0.0.2:5060');
  t.is(invite.dialog?.state, 'confirmed');
  t.is(invite.dialog?.id.remoteTag, tagOf(final.to) ?? undefined);
});

test('a 2xx never acknowledged is resent until 64·T1, then onNoAck runs (RFC 3261 §13.3.1.4)', async (t) => {
  const h = await setup();
  const seen = answeringUas(h.uas);
  await h.start();
  const invite = h.uac.sendInvite(h.target, { uri: 'sip:bob@10.0.0.1' });
  t.is((await invite.final).status, 200);
  // The UAC application never calls ack().
  h.clock.advance(31_999);
  await settle();
  t.deepEqual(
    responses(h.wire, 200, 'INVITE').map((e) => e.at),
    [0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500],
  );
  t.is(seen.noAck, 0);
  h.clock.advance(1);
  await settle();
  t.is(seen.noAck, 1);
  h.clock.advance(60_000);
  await settle();
  t.is(responses(h.wire, 200, 'INVITE').length, 11, 'nothing resent after giving up');
  t.is(seen.noAck, 1);
});

test('over TCP the 2xx is sent once, and a missing ACK still ends in onNoAck after 64·T1', async (t) => {
  const h = await setup('TCP');
  const seen = answeringUas(h.uas);
  await h.start();
  const invite = h.uac.sendInvite(h.target, { uri: 'sip:bob@10.0.0.1' });
  const final = await invite.final;
  t.is(final.status, 200);
  t.is(formatUri(final.contact[0]!.uri), 'sip:bob@10.0.0.1:5060;transport=tcp');
  t.is(
    formatUri(requests(h.wire, 'INVITE')[0]!.message.contact[0]!.uri),
    'sip:10.0.0.2:5060;transport=tcp',
  );
  h.clock.advance(31_999);
  await settle();
  t.is(responses(h.wire, 200, 'INVITE').length, 1);
  t.is(seen.noAck, 0);
  h.clock.advance(1);
  await settle();
  t.is(seen.noAck, 1);
  h.clock.advance(60_000);
  await settle();
  t.is(responses(h.wire, 200, 'INVITE').length, 1);
});

test('over TCP an ACK in time means no onNoAck', async (t) => {
  const h = await setup('TCP');
  const seen = answeringUas(h.uas);
  await h.start();
  const invite = h.uac.sendInvite(h.target, { uri: 'sip:bob@10.0.0.1' });
  await invite.final;
  invite.ack();
  await settle();
  t.is(seen.acks.length, 1);
  h.clock.advance(100_000);
  await settle();
  t.is(seen.noAck, 0);
  t.is(responses(h.wire, 200, 'INVITE').length, 1);
});

test('an ACK with another To tag or CSeq does not stop the 2xx retransmission', async (t) => {
  const h = await setup();
  const seen = answeringUas(h.uas);
  await h.start();
  const invite = h.uac.sendInvite(h.target, { uri: 'sip:bob@10.0.0.1' });
  const final = await invite.final;
  const dialog = invite.dialog!;
  // ACKs that belong to no 2xx we sent: first a CSeq we never answered …
  h.uac.sendAck(dialog, invite.dialogTarget, { cseq: 9 });
  await settle();
  h.clock.advance(500);
  await settle();
  t.is(responses(h.wire, 200, 'INVITE').length, 2, 'still resent at T1');
  // … then a To tag we never gave.
  const stranger = Dialog.fromUacResponse(invite.request, {
    ...final,
    to: { ...final.to, params: { tag: 'not-ours' } },
  });
  if (!stranger.ok) throw new Error(stranger.reason);
  h.uac.sendAck(stranger.dialog, invite.dialogTarget, { cseq: 1 });
  await settle();
  h.clock.advance(1000);
  await settle();
  t.is(responses(h.wire, 200, 'INVITE').length, 3, 'still resent at 2·T1');
  t.is(seen.acks.length, 2, 'the stray ACKs reach the application');
  invite.ack();
  await settle();
  h.clock.advance(60_000);
  await settle();
  t.is(responses(h.wire, 200, 'INVITE').length, 3);
  t.is(seen.noAck, 0);
});

// --- UAC: ACK resent for a retransmitted 2xx -----------------------------------------------

test('a lost ACK is sent again, unchanged, when the 2xx comes again (RFC 3261 §13.2.2.4)', async (t) => {
  const h = await setup();
  const seen = answeringUas(h.uas);
  await h.start();
  let acksSent = 0;
  h.net.fate = (m) =>
    m.kind === 'request' && m.method === 'ACK' && ++acksSent === 1 ? 'drop' : undefined;
  const invite = h.uac.sendInvite(h.target, { uri: 'sip:bob@10.0.0.1' });
  await invite.final;
  invite.ack();
  await settle();
  t.is(seen.acks.length, 0);
  h.clock.advance(500); // the UAS resends the 2xx at T1
  await settle();
  const acks = requests(h.wire, 'ACK');
  t.deepEqual(
    acks.map((e) => [e.at, e.dropped]),
    [
      [0, true],
      [500, false],
    ],
  );
  t.is(branchOf(acks[1]!.message), branchOf(acks[0]!.message));
  t.is(acks[1]!.message.cseq.seq, acks[0]!.message.cseq.seq);
  t.is(seen.acks.length, 1);
  h.clock.advance(60_000);
  await settle();
  t.is(responses(h.wire, 200, 'INVITE').length, 2);
  t.is(requests(h.wire, 'ACK').length, 2);
});

// --- Late offer ------------------------------------------------------------------------------

test('late offer: the 2xx carries the offer and the ACK carries the answer (RFC 3261 §13.2.2.4, RFC 3264)', async (t) => {
  const h = await setup();
  const seen = answeringUas(h.uas, { body: offer });
  await h.start();
  const invite = h.uac.sendInvite(h.target, { uri: 'sip:bob@10.0.0.1' });
  const final = await invite.final;
  t.is(final.body.toString(), offer);
  invite.ack({
    body: Buffer.from(answer),
    headers: [{ name: 'Content-Type', value: 'application/sdp' }],
  });
  await settle();
  t.is(requests(h.wire, 'INVITE')[0]!.message.body.length, 0, 'the INVITE had no offer');
  const ack = requests(h.wire, 'ACK')[0]!.message;
  t.is(ack.body.toString(), answer);
  t.is(header(ack, 'Content-Type'), 'application/sdp');
  t.is(seen.acks[0]?.body.toString(), answer);
  t.is(seen.acks[0]?.get('Content-Type'), 'application/sdp');
});

// --- sendInvite options and failures ---------------------------------------------------------

test('sendInvite puts the given Call-ID, From, To, Contact, Max-Forwards, headers and body on the wire', async (t) => {
  const h = await setup();
  const seen = answeringUas(h.uas);
  await h.start();
  const invite = h.uac.sendInvite(h.target, {
    uri: 'sip:bob@10.0.0.1',
    callId: 'call-abc@10.0.0.2',
    from: { displayName: 'Alice', uri: parseUri('sip:alice@example.com')!, params: { tag: 'a-1' } },
    to: { uri: parseUri('sip:bob@example.com')!, params: {} },
    contact: { uri: parseUri('sip:alice@10.0.0.2:5060')!, params: {} },
    maxForwards: 12,
    headers: { 'Content-Type': 'application/sdp', 'X-Case': 'c-1' },
    body: offer,
  });
  await invite.final;
  const sent = requests(h.wire, 'INVITE')[0]!.message;
  t.is(sent.callId, 'call-abc@10.0.0.2');
  t.is(formatUri(sent.from.uri), 'sip:alice@example.com');
  t.is(sent.from.displayName, 'Alice');
  t.is(tagOf(sent.from), 'a-1');
  t.is(formatUri(sent.to.uri), 'sip:bob@example.com');
  t.is(formatUri(sent.contact[0]!.uri), 'sip:alice@10.0.0.2:5060');
  t.is(sent.maxForwards, 12);
  t.is(header(sent, 'X-Case'), 'c-1');
  t.is(sent.body.toString(), offer);
  t.deepEqual([sent.cseq.seq, sent.cseq.method], [1, 'INVITE']);
  t.is(seen.invites[0]?.body.toString(), offer);
  t.is(invite.dialog?.id.localTag, 'a-1');
});

test('an INVITE nobody answers resolves as a local 408 after Timer B (RFC 3261 §8.1.3.1)', async (t) => {
  const h = await setup();
  await h.start();
  h.net.fate = () => 'drop';
  const invite = h.uac.sendInvite(h.target, { uri: 'sip:bob@10.0.0.1' });
  let final: SipResponse | undefined;
  void invite.final.then((r) => (final = r));
  h.clock.advance(31_999);
  await settle();
  t.is(final, undefined);
  // Timer A: the INVITE was resent at T1, 2·T1, 4·T1 …
  t.deepEqual(
    requests(h.wire, 'INVITE').map((e) => e.at),
    [0, 500, 1500, 3500, 7500, 15_500, 31_500],
  );
  h.clock.advance(1);
  await settle();
  t.is(final?.status, 408);
  t.is(invite.dialog, undefined);
});

test('an INVITE the transport cannot send resolves as a local 503 (RFC 3261 §8.1.3.1)', async (t) => {
  const h = await setup();
  await h.start();
  h.net.fate = () => 'fail';
  const invite = h.uac.sendInvite(h.target, { uri: 'sip:bob@10.0.0.1' });
  const final = await invite.final;
  t.is(final.status, 503);
  t.is(invite.dialog, undefined);
});

// --- CANCEL ----------------------------------------------------------------------------------

test('cancel() sends CANCEL for the pending INVITE, which ends with 487 (RFC 3261 §9.1)', async (t) => {
  const h = await setup();
  const invites: IncomingRequest[] = [];
  let cancelled = 0;
  h.uas.invite(async (req, res) => {
    invites.push(req);
    req.onCancel(() => cancelled++);
    await res.send(180);
  });
  await h.start();
  const invite = h.uac.sendInvite(h.target, { uri: 'sip:bob@10.0.0.1' });
  const provisional: number[] = [];
  invite.onProvisional((r) => {
    provisional.push(r.status);
    invite.cancel();
  });
  const final = await invite.final;
  await settle();
  t.deepEqual(provisional, [180]);
  t.is(final.status, 487);
  t.is(invite.dialog, undefined);
  t.is(cancelled, 1);
  t.true(invites[0]?.cancelled);

  const sentInvite = requests(h.wire, 'INVITE')[0]!.message;
  const cancels = requests(h.wire, 'CANCEL');
  t.is(cancels.length, 1);
  const cancel = cancels[0]!.message;
  // RFC 3261 §9.1: same Request-URI, Call-ID, To, From, CSeq number and branch.
  t.is(formatUri(cancel.uri), formatUri(sentInvite.uri));
  t.is(branchOf(cancel), branchOf(sentInvite));
  t.deepEqual([cancel.cseq.seq, cancel.cseq.method], [sentInvite.cseq.seq, 'CANCEL']);
  t.is(cancel.callId, sentInvite.callId);
  t.is(tagOf(cancel.from), tagOf(sentInvite.from));
  t.is(tagOf(cancel.to), undefined);
  t.is(responses(h.wire, 200, 'CANCEL').length, 1);
  t.is(responses(h.wire, 487, 'INVITE').length, 1);
  // The ACK for the 487 is the transaction's: same branch as the INVITE (RFC 3261 §17.1.1.3).
  const acks = requests(h.wire, 'ACK');
  t.is(acks.length, 1);
  t.is(branchOf(acks[0]!.message), branchOf(sentInvite));
  t.is(requests(h.wire, 'BYE').length, 0);
  h.clock.advance(60_000);
  await settle();
  t.is(responses(h.wire, 487, 'INVITE').length, 1, 'the ACK stopped the 487');
});

test('a 2xx that crosses the CANCEL is acknowledged and hung up with BYE (RFC 3261 §9.1, §15)', async (t) => {
  const h = await setup();
  const invites: IncomingRequest[] = [];
  const byes: IncomingRequest[] = [];
  let noAck = 0;
  let answerNow!: () => void;
  const answered = new Promise<void>((resolve) => (answerNow = resolve));
  h.uas.invite(async (req, res) => {
    invites.push(req);
    req.onNoAck(() => noAck++);
    await res.send(180);
    await answered;
    await res.send(200, undefined, { contact: [h.uas.localContact('UDP', 'bob')] });
  });
  h.uas.bye(async (req, res) => {
    byes.push(req);
    await res.send(200);
  });
  await h.start();
  const invite = h.uac.sendInvite(h.target, { uri: 'sip:bob@10.0.0.1' });
  const rang = new Promise<void>((resolve) => invite.onProvisional(() => resolve()));
  await rang;
  // The CANCEL takes 10 ms to arrive; meanwhile the UAS answers.
  h.net.fate = (m) => (m.kind === 'request' && m.method === 'CANCEL' ? { delayMs: 10 } : undefined);
  invite.cancel();
  answerNow();
  const final = await invite.final;
  await settle();
  t.is(final.status, 200);
  t.truthy(invite.dialog);
  t.true(invite.acked);
  h.clock.advance(10);
  await settle();

  t.is(responses(h.wire, 200, 'CANCEL').length, 1);
  t.is(responses(h.wire, 487, 'INVITE').length, 0, 'too late for 487');
  t.false(invites[0]?.cancelled);
  const acks = requests(h.wire, 'ACK');
  t.is(acks.length, 1);
  const ack = acks[0]!.message;
  t.deepEqual([ack.cseq.seq, ack.cseq.method], [1, 'ACK']);
  t.is(formatUri(ack.uri), 'sip:bob@10.0.0.1:5060');
  const bye = requests(h.wire, 'BYE');
  t.is(bye.length, 1);
  t.deepEqual([bye[0]!.message.cseq.seq, bye[0]!.message.cseq.method], [2, 'BYE']);
  t.is(tagOf(bye[0]!.message.to), tagOf(final.to));
  t.is(byes.length, 1);
  // The ACK went first, so the UAS stops resending the 2xx.
  t.true(h.wire.indexOf(acks[0]!) < h.wire.indexOf(bye[0]!));
  h.clock.advance(60_000);
  await settle();
  t.is(responses(h.wire, 200, 'INVITE').length, 1);
  t.is(noAck, 0);
  t.is(invite.dialog?.state, 'terminated');
});

// --- Forking ---------------------------------------------------------------------------------

/** A peer that answers by hand: the test decides each response it sends. */
function rawPeer(h: Awaited<ReturnType<typeof setup>>) {
  const received: IncomingMessage<SipRequest>[] = [];
  const core = h.network.endpoint({
    address: PEER,
    user: {
      onRequest: (incoming) => {
        received.push(incoming);
        if (incoming.message.method === 'BYE')
          void core.sendResponse(createResponse(incoming.message, 200), incoming.flow);
      },
      onResponse: () => undefined,
    },
  });
  return { core, received };
}

test('a second 2xx from another fork is acknowledged and hung up; retransmissions get the ACK again, not a second BYE (RFC 3261 §13.2.2.4)', async (t) => {
  const h = await setup();
  await h.start();
  const peer = rawPeer(h);
  const invite = h.uac.sendInvite(
    { protocol: 'UDP', address: PEER, port: 5060 },
    { uri: 'sip:bob@10.0.0.9' },
  );
  await settle();
  const received = peer.received.find((i) => i.message.method === 'INVITE')!;
  t.truthy(received);
  const ok = (tag: string, user: string): SipResponse =>
    createResponse(received.message, 200, 'OK', {
      toTag: tag,
      contact: [{ uri: parseUri(`sip:${user}@10.0.0.9:5060`)!, params: {} }],
    });
  const okA = ok('fork-a', 'a');
  const okB = ok('fork-b', 'b');
  await peer.core.sendResponse(okA, received.flow);
  await peer.core.sendResponse(okB, received.flow);
  const final = await invite.final;
  await settle();
  t.is(tagOf(final.to), 'fork-a');
  t.is(invite.dialog?.id.remoteTag, 'fork-a');
  t.is(invite.dialog?.state, 'confirmed');

  const forUac = (e: OnWire): boolean => e.from === UAC;
  const acksTo = (tag: string): OnWire<SipRequest>[] =>
    requests(h.wire, 'ACK').filter((e) => forUac(e) && tagOf(e.message.to) === tag);
  // Fork B: ACK, then BYE, both to its Contact and with its tag.
  t.is(acksTo('fork-b').length, 1);
  const byes = requests(h.wire, 'BYE');
  t.is(byes.length, 1);
  const bye = byes[0]!.message;
  t.is(tagOf(bye.to), 'fork-b');
  t.is(formatUri(bye.uri), 'sip:b@10.0.0.9:5060');
  t.deepEqual([bye.cseq.seq, bye.cseq.method], [2, 'BYE']);
  t.is(tagOf(bye.from), tagOf(received.message.from));
  t.is(formatUri(acksTo('fork-b')[0]!.message.uri), 'sip:b@10.0.0.9:5060');
  t.is(responses(h.wire, 200, 'BYE').length, 1);
  // Fork A is the call: the application acknowledges it.
  t.is(acksTo('fork-a').length, 0);
  invite.ack();
  await settle();
  t.is(acksTo('fork-a').length, 1);
  t.is(formatUri(acksTo('fork-a')[0]!.message.uri), 'sip:a@10.0.0.9:5060');

  // Both forks resend their 2xx (as if the ACKs were lost): each gets its ACK again.
  await peer.core.sendResponse(okB, received.flow);
  await peer.core.sendResponse(okA, received.flow);
  await settle();
  t.is(acksTo('fork-b').length, 2);
  t.is(branchOf(acksTo('fork-b')[1]!.message), branchOf(acksTo('fork-b')[0]!.message));
  t.is(acksTo('fork-a').length, 2);
  t.is(requests(h.wire, 'BYE').length, 1, 'no second BYE for fork B');
  t.is(invite.dialog?.state, 'confirmed');
});

// --- Requests within the dialog --------------------------------------------------------------

async function establishedCall(protocol: Protocol = 'UDP') {
  const h = await setup(protocol);
  const seen = answeringUas(h.uas);
  await h.start();
  const invite = h.uac.sendInvite(h.target, { uri: 'sip:bob@10.0.0.1' });
  const final = await invite.final;
  invite.ack();
  await settle();
  return { ...h, seen, invite, final, dialog: invite.dialog! };
}

test('BYE within the dialog: next CSeq, the dialog tags, the remote target as Request-URI (RFC 3261 §12.2.1.1, §15.1.1)', async (t) => {
  const { wire, uac, seen, invite, final, dialog } = await establishedCall();
  t.is(dialog.state, 'confirmed');
  const response = await uac.requestInDialog(dialog, invite.dialogTarget, 'BYE');
  t.is(response.status, 200);
  const byes = requests(wire, 'BYE');
  t.is(byes.length, 1);
  const bye = byes[0]!.message;
  const sentInvite = requests(wire, 'INVITE')[0]!.message;
  t.deepEqual([bye.cseq.seq, bye.cseq.method], [sentInvite.cseq.seq + 1, 'BYE']);
  t.is(bye.callId, sentInvite.callId);
  t.is(tagOf(bye.from), tagOf(sentInvite.from));
  t.is(tagOf(bye.to), tagOf(final.to));
  t.is(formatUri(bye.uri), formatUri(final.contact[0]!.uri));
  t.not(branchOf(bye), branchOf(sentInvite));
  t.not(branchOf(bye), branchOf(requests(wire, 'ACK')[0]!.message));
  t.is(seen.byes.length, 1);
  t.is(seen.byes[0]?.message.to.params['tag'], tagOf(final.to));
  t.is(dialog.state, 'terminated', 'the 200 to our BYE ends the dialog');
});

test('a 481 to a request within the dialog terminates it (RFC 3261 §12.2.1.2)', async (t) => {
  const { wire, uas, uac, invite, dialog } = await establishedCall();
  uas.on('INFO', () => {
    throw new SipError(481);
  });
  const response = await uac.requestInDialog(dialog, invite.dialogTarget, 'INFO', {
    headers: { 'Content-Type': 'application/dtmf-relay' },
    body: 'Signal=5\r\nDuration=160\r\n',
  });
  t.is(response.status, 481);
  t.is(dialog.state, 'terminated');
  const info = requests(wire, 'INFO')[0]!.message;
  t.deepEqual([info.cseq.seq, info.cseq.method], [2, 'INFO']);
  t.is(info.body.toString(), 'Signal=5\r\nDuration=160\r\n');
});

test('a 200 to a request within the dialog leaves it confirmed and the next request takes the next CSeq', async (t) => {
  const { wire, uas, uac, invite, dialog } = await establishedCall();
  uas.on('INFO', async (_req, res) => res.send(200));
  t.is((await uac.requestInDialog(dialog, invite.dialogTarget, 'INFO')).status, 200);
  t.is((await uac.requestInDialog(dialog, invite.dialogTarget, 'INFO')).status, 200);
  t.is(dialog.state, 'confirmed');
  t.deepEqual(
    requests(wire, 'INFO').map((e) => e.message.cseq.seq),
    [2, 3],
  );
});

test('re-INVITE: sendAck acknowledges its 2xx, and a resent 2xx gets the ACK again (RFC 3261 §14.1)', async (t) => {
  const { wire, net, clock, uac, seen, invite, dialog } = await establishedCall();
  let reinviteAcks = 0;
  net.fate = (m) =>
    m.kind === 'request' && m.method === 'ACK' && m.cseq.seq === 2 && ++reinviteAcks === 1
      ? 'drop'
      : undefined;
  const provisional: number[] = [];
  const response = await uac.requestInDialog(dialog, invite.dialogTarget, 'INVITE', {
    headers: { 'Content-Type': 'application/sdp' },
    body: offer,
    onProvisional: (r) => provisional.push(r.status),
  });
  t.is(response.status, 200);
  t.deepEqual(provisional, []);
  const reinvite = requests(wire, 'INVITE')[1]!.message;
  t.deepEqual([reinvite.cseq.seq, reinvite.cseq.method], [2, 'INVITE']);
  t.is(tagOf(reinvite.to), dialog.id.remoteTag);
  t.is(
    formatUri(reinvite.contact[0]!.uri),
    'sip:10.0.0.2:5060',
    'a target refresh carries Contact',
  );
  t.is(reinvite.body.toString(), offer);
  t.is(seen.invites[1]?.message.to.params['tag'], dialog.id.remoteTag);

  uac.sendAck(dialog, invite.dialogTarget, { cseq: response.cseq.seq });
  await settle();
  clock.advance(500); // the UAS resends the 2xx of the re-INVITE at T1
  await settle();
  const acks = requests(wire, 'ACK').filter((e) => e.message.cseq.seq === 2);
  t.deepEqual(
    acks.map((e) => [e.at, e.dropped]),
    [
      [0, true],
      [500, false],
    ],
  );
  t.is(acks[0]!.message.cseq.method, 'ACK');
  t.is(branchOf(acks[1]!.message), branchOf(acks[0]!.message));
  t.not(branchOf(acks[0]!.message), branchOf(reinvite));
  t.is(seen.acks.filter((a) => a.message.cseq.seq === 2).length, 1);
  clock.advance(60_000);
  await settle();
  t.is(
    responses(wire, 200, 'INVITE').filter((e) => e.message.cseq.seq === 2).length,
    2,
    'the second ACK stopped the retransmissions',
  );
  t.is(seen.noAck, 0);
  t.is(dialog.state, 'confirmed');
});

test('close() stops waiting for ACKs: no more 2xx and no onNoAck afterwards', async (t) => {
  const h = await setup();
  const seen = answeringUas(h.uas);
  await h.start();
  const invite = h.uac.sendInvite(h.target, { uri: 'sip:bob@10.0.0.1' });
  await invite.final;
  h.clock.advance(500);
  await settle();
  t.is(responses(h.wire, 200, 'INVITE').length, 2);
  await h.uas.close();
  h.clock.advance(60_000);
  await settle();
  t.is(responses(h.wire, 200, 'INVITE').length, 2);
  t.is(seen.noAck, 0);
});

test('cancel() before any provisional response waits for one before sending CANCEL (RFC 3261 §9.1)', async (t) => {
  const h = await setup();
  h.uas.invite(async () => {
    // Says nothing: only the transaction's 100 (Trying) after 200 ms.
  });
  await h.start();
  const invite = h.uac.sendInvite(h.target, { uri: 'sip:bob@10.0.0.1' });
  await settle();
  invite.cancel();
  await settle();
  t.is(requests(h.wire, 'CANCEL').length, 0);
  h.clock.advance(200);
  const final = await invite.final;
  t.is(final.status, 487);
  t.deepEqual(
    requests(h.wire, 'CANCEL').map((e) => e.at),
    [200],
  );
  t.is(responses(h.wire, 100, 'INVITE').length, 1);
});
