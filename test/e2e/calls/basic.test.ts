// Basic calls through the B2BUA, each test with its own server: from a trunk to a subscriber,
// from a subscriber out through the outbound trunk, and between two subscribers (SPEC §1),
// each leaving one call record (SPEC §3.13).
import test from 'ava';
import { CallLab, succeeded, received, statuses } from '../../helpers/calls.ts';

const outside = '0312000001';
const alice = '0355550001';
const bob = '0355550002';

test('a trunk call to a subscriber is answered, the caller hangs up, one record', async (t) => {
  const lab = await CallLab.start({ lines: [{ numbers: [{ number: alice }] }] });
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(alice, 'phone-answer');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: alice });

  await succeeded(t, caller, phone);
  const [invite] = received(await phone.messages(), 'INVITE');
  // SPEC §3.6 in spirit: the phone sees who calls.
  t.regex(invite?.header('From') ?? '', new RegExp(`sip:${outside}@`));

  const record = await lab.record(await caller.callId());
  t.like(record, {
    direction: 'incoming',
    caller: outside,
    called: alice,
    outcome: 'answered',
    forwarded_to: null,
    failure_code: null,
  });
  t.truthy(record.answered_at);
});

test('a subscriber calls out with digest credentials and the outbound trunk answers', async (t) => {
  const lab = await CallLab.start({ lines: [{ numbers: [{ number: alice }] }] });
  t.teardown(() => lab.dispose());
  const trunk = await lab.outboundTrunk(outside, 'phone-answer');
  const caller = await lab.subscriberCall({ caller: alice, callee: outside });

  await succeeded(t, caller, trunk);
  // RFC 3261 §22.2: challenged first, then taken with credentials.
  t.deepEqual(
    statuses(await caller.messages()).filter((s) => s >= 200),
    [401, 200, 200],
  );
  const invites = received(await trunk.messages(), 'INVITE');
  t.is(invites.length, 1);
  t.regex(invites[0]?.startLine ?? '', new RegExp(`^INVITE sip:${outside}@127\\.0\\.0\\.1:`));
  t.regex(invites[0]?.header('From') ?? '', new RegExp(`sip:${alice}@`));

  const record = await lab.record(await caller.callId());
  t.like(record, { direction: 'outgoing', caller: alice, called: outside, outcome: 'answered' });
  t.truthy(record.answered_at);
});

test('a subscriber calls another subscriber: an internal call', async (t) => {
  const lab = await CallLab.start({ lines: [{ numbers: [{ number: alice }, { number: bob }] }] });
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(bob, 'phone-answer');
  const trunk = await lab.outboundTrunk(bob, 'phone-answer');
  const caller = await lab.subscriberCall({ caller: alice, callee: bob });

  await succeeded(t, caller, phone);
  t.regex(received(await phone.messages(), 'INVITE')[0]?.header('From') ?? '', new RegExp(alice));

  const record = await lab.record(await caller.callId());
  t.like(record, { direction: 'internal', caller: alice, called: bob, outcome: 'answered' });
  // A local number never leaves through the trunk.
  t.deepEqual(await trunk.messages(), []);
});
