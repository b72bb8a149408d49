// Forwarding history and loops (SPEC §3.1): the forwarding target's phone sees where the call
// was diverted from, as RFC 5806 Diversion or, when configured, RFC 7044 History-Info; and
// a forwarding chain that comes back to a number it has passed is stopped.
import test from 'ava';
import { CallLab, succeeded, received, statuses } from '../../helpers/calls.ts';

const outside = '0312000001';
const alice = '0355550001';
const bob = '0355550002';

const busyToBob = {
  lines: [
    {
      numbers: [
        {
          number: alice,
          forwarding: { enabled: true, when: ['busy' as const], slots: [bob], target: 1 },
        },
        { number: bob },
      ],
    },
  ],
};

test('a loop alice → bob → alice is stopped: 482, and no phone rings', async (t) => {
  const lab = await CallLab.start({
    lines: [
      {
        numbers: [
          {
            number: alice,
            forwarding: { enabled: true, when: 'unconditional', slots: [bob], target: 1 },
          },
          {
            number: bob,
            forwarding: { enabled: true, when: 'unconditional', slots: [alice], target: 1 },
          },
        ],
      },
    ],
  });
  t.teardown(() => lab.dispose());
  const alicePhone = await lab.phone(alice, 'phone-answer');
  const bobPhone = await lab.phone(bob, 'phone-answer');
  const caller = await lab.trunkCall('caller-refused', { caller: outside, callee: alice });

  await succeeded(t, caller);
  const seen = statuses(await caller.messages());
  t.is(seen.at(-1), 482, seen.join(' '));
  t.is(seen.filter((s) => s === 181).length, 1);
  t.like(await lab.record(await caller.callId()), {
    called: alice,
    outcome: 'rejected',
    outcome_reason: 'forwarding-loop',
    failure_code: 482,
  });
  t.deepEqual(await alicePhone.messages(), [], 'alice was rung');
  t.deepEqual(await bobPhone.messages(), [], 'bob was rung');
});

test('Diversion: the target sees alice, user-busy, counter 1', async (t) => {
  const lab = await CallLab.start(busyToBob);
  t.teardown(() => lab.dispose());
  const alicePhone = await lab.phone(alice, 'phone-busy');
  const bobPhone = await lab.phone(bob, 'phone-answer-diversion');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: alice });

  await succeeded(t, caller, alicePhone, bobPhone);
  const [invite] = received(await bobPhone.messages(), 'INVITE');
  t.deepEqual(invite?.headers('Diversion'), [
    `<sip:${alice}@ipvoice.local;user=phone>;reason=user-busy;counter=1`,
  ]);
  t.deepEqual(invite?.headers('History-Info'), []);
  t.like(await lab.record(await caller.callId()), {
    called: alice,
    outcome: 'forwarded',
    outcome_reason: 'busy',
    forwarded_to: bob,
  });
});

test('History-Info when configured: entry 1 is alice, 1.1 is bob with cause 486', async (t) => {
  const lab = await CallLab.start({
    ...busyToBob,
    env: { IPVOICE_CALLS__FORWARDING_HISTORY: 'history-info' },
  });
  t.teardown(() => lab.dispose());
  const alicePhone = await lab.phone(alice, 'phone-busy');
  const bobPhone = await lab.phone(bob, 'phone-answer-history-info');
  const caller = await lab.trunkCall('caller', { caller: outside, callee: alice });

  await succeeded(t, caller, alicePhone, bobPhone);
  const [invite] = received(await bobPhone.messages(), 'INVITE');
  t.deepEqual(invite?.headers('History-Info'), [
    `<sip:${alice}@ipvoice.local;user=phone>;index=1`,
    `<sip:${bob}@ipvoice.local;user=phone?Reason=SIP%3Bcause%3D486>;index=1.1;mp=1;cause=486`,
  ]);
  t.deepEqual(invite?.headers('Diversion'), []);
  t.like(await lab.record(await caller.callId()), {
    called: alice,
    outcome: 'forwarded',
    outcome_reason: 'busy',
    forwarded_to: bob,
  });
});
