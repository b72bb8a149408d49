// Requests within an answered call relayed by the B2BUA (RFC 3261 §12, §14): BYE from the
// callee's side, and a re-INVITE switching to T.38 fax passed through end to end.
import test from 'ava';
import { CallLab, succeeded, received } from '../../helpers/calls.ts';

const outside = '0312000001';
const alice = '0355550001';

test('the callee hangs up: the caller gets the BYE, the call is recorded answered', async (t) => {
  const lab = await CallLab.start({ lines: [{ numbers: [{ number: alice }] }] });
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(alice, 'phone-hangup');
  const caller = await lab.trunkCall('caller-await-bye', { caller: outside, callee: alice });

  await succeeded(t, caller, phone);
  t.is(received(await caller.messages(), 'BYE').length, 1);
  const record = await lab.record(await caller.callId());
  t.like(record, { outcome: 'answered', called: alice });
  t.truthy(record.answered_at);
});

test('a T.38 re-INVITE from the caller reaches the phone with its SDP, and its ACK too', async (t) => {
  const lab = await CallLab.start({ lines: [{ numbers: [{ number: alice }] }] });
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(alice, 'phone-reinvite');
  const caller = await lab.trunkCall('caller-reinvite', { caller: outside, callee: alice });

  await succeeded(t, caller, phone);
  const sent = (await caller.messages()).filter(
    (m) => m.direction === 'sent' && m.method === 'INVITE',
  );
  const got = received(await phone.messages(), 'INVITE');
  t.is(got.length, 2);
  t.is(got[1]?.body.trim(), sent[1]?.body.trim());
  t.regex(got[1]?.body ?? '', /^m=image \d+ udptl t38$/m);
  // The ACK for the initial 200 and the ACK for the re-INVITE's 200.
  t.is(received(await phone.messages(), 'ACK').length, 2);
  t.like(await lab.record(await caller.callId()), { outcome: 'answered' });
});
