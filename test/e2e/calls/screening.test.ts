// SPEC §3.7 anonymous call rejection and §3.8 nuisance call blocking through the real server:
// who is refused (with the spoken guidance as early media, then 433 / 603), who still rings,
// what the call record says, and the monthly count of blocked calls.
import test from 'ava';
import {
  CallLab,
  extraHeaders,
  received,
  statuses,
  succeeded,
  type LineSpec,
  type TracedSipp,
} from '../../helpers/calls.ts';
import { RtpReceiver } from '../../helpers/rtp.ts';

const outside = '0312000001';
const alice = '0355550001';
const bob = '0355550002';
const carol = '0355550003';

/** A caller's identity as a trunk presents it: the From name-addr and up to two headers. */
interface Identity {
  from: string;
  headers?: string[];
}

const numbered = (number: string): string => `<sip:${number}@carrier.example;user=phone>`;

/** A trunk call expected to be refused: its SDP offer points at an RTP receiver of the test. */
async function refusedCall(
  t: import('ava').ExecutionContext,
  lab: CallLab,
  callee: string,
  identity: Identity,
): Promise<TracedSipp> {
  const rtp = await RtpReceiver.start();
  t.teardown(() => rtp.close());
  const caller = await lab.trunkCall('caller-screened', {
    caller: outside,
    callee,
    vars: {
      from: identity.from,
      ...extraHeaders(...(identity.headers ?? [])),
      rtp_port: String(rtp.port),
      pt: '0',
      codec: 'PCMU',
    },
  });
  await succeeded(t, caller);
  return caller;
}

/** A trunk call expected to ring and be answered. */
async function answeredCall(
  t: import('ava').ExecutionContext,
  lab: CallLab,
  callee: string,
  identity: Identity,
): Promise<TracedSipp> {
  const caller = await lab.trunkCall('caller-custom', {
    caller: outside,
    callee,
    vars: { from: identity.from, ...extraHeaders(...(identity.headers ?? [])) },
  });
  await succeeded(t, caller);
  return caller;
}

/** 183 (the guidance) then `status`, nothing else final. */
function refusedWith(t: import('ava').ExecutionContext, codes: number[], status: number): void {
  t.true(codes.includes(183), `no 183: ${codes.join(' ')}`);
  t.deepEqual(
    codes.filter((c) => c >= 200),
    [status],
  );
}

// --- SPEC §3.7 anonymous call rejection -----------------------------------------------------

const rejecting: LineSpec[] = [
  {
    numbers: [
      { number: alice, subscriptions: ['anonymous_rejection'] },
      { number: carol, callerId: { presentation: 'withhold' } },
      { number: bob },
    ],
  },
];

const withheldCallers: Array<[string, Identity]> = [
  ['Privacy: id with the number in From', { from: numbered(outside), headers: ['Privacy: id'] }],
  [
    'Privacy: user, anonymous From, the number asserted',
    {
      from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
      headers: [`P-Asserted-Identity: ${numbered(outside)}`, 'Privacy: user'],
    },
  ],
  ['anonymous From and no P-Asserted-Identity', { from: '<sip:anonymous@anonymous.invalid>' }],
];

for (const [name, identity] of withheldCallers) {
  test(`anonymous rejection: a withheld trunk caller (${name}) hears the guidance, 433`, async (t) => {
    const lab = await CallLab.start({ lines: rejecting });
    t.teardown(() => lab.dispose());
    const phone = await lab.phone(alice, 'phone-answer');
    const caller = await refusedCall(t, lab, alice, identity);

    refusedWith(t, statuses(await caller.messages()), 433);
    t.like(await lab.record(await caller.callId()), {
      called: alice,
      outcome: 'rejected',
      outcome_reason: 'anonymous-rejected',
      failure_code: 433,
    });
    t.deepEqual(received(await phone.messages(), 'INVITE'), [], 'alice was rung');
  });
}

const letThrough: Array<[string, Identity]> = [
  [
    'a payphone (cpc=payphone) with Privacy: id',
    { from: '<sip:0312000001;cpc=payphone@carrier.example;user=phone>', headers: ['Privacy: id'] },
  ],
  ['an unavailable ID (out of area)', { from: '<sip:unavailable@carrier.example>' }],
  ['a caller with a number', { from: numbered(outside) }],
];

for (const [name, identity] of letThrough) {
  test(`anonymous rejection lets ${name} through: alice rings and answers`, async (t) => {
    const lab = await CallLab.start({ lines: rejecting });
    t.teardown(() => lab.dispose());
    const phone = await lab.phone(alice, 'phone-answer');
    const caller = await answeredCall(t, lab, alice, identity);

    await succeeded(t, phone);
    t.false(statuses(await caller.messages()).includes(433));
    t.is(received(await phone.messages(), 'INVITE').length, 1);
    t.like(await lab.record(await caller.callId()), { called: alice, outcome: 'answered' });
  });
}

test('anonymous rejection turned off: a withheld caller rings', async (t) => {
  const lab = await CallLab.start({
    lines: [
      {
        numbers: [
          {
            number: alice,
            subscriptions: ['anonymous_rejection'],
            anonymousRejection: { enabled: false },
          },
        ],
      },
    ],
  });
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(alice, 'phone-answer');
  const caller = await answeredCall(t, lab, alice, {
    from: numbered(outside),
    headers: ['Privacy: id'],
  });

  await succeeded(t, phone);
  t.like(await lab.record(await caller.callId()), { outcome: 'answered' });
});

test('without the subscription a withheld caller rings', async (t) => {
  const lab = await CallLab.start({ lines: rejecting });
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(bob, 'phone-answer');
  const caller = await answeredCall(t, lab, bob, {
    from: numbered(outside),
    headers: ['Privacy: id'],
  });

  await succeeded(t, phone);
  t.like(await lab.record(await caller.callId()), { called: bob, outcome: 'answered' });
});

for (const [name, caller, dialled] of [
  ['whose setting withholds', carol, alice],
  ['who dials 184 before the number', bob, `184${alice}`],
] as const) {
  test(`anonymous rejection: a subscriber ${name} is refused the same way`, async (t) => {
    const lab = await CallLab.start({ lines: rejecting });
    t.teardown(() => lab.dispose());
    const rtp = await RtpReceiver.start();
    t.teardown(() => rtp.close());
    const phone = await lab.phone(alice, 'phone-answer');
    const call = await lab.subscriberCall({
      caller,
      callee: dialled,
      scenario: 'phone-call-refused',
      vars: { ...extraHeaders(), rtp_port: String(rtp.port), pt: '0', codec: 'PCMU' },
    });

    await succeeded(t, call);
    // The first final response is the digest challenge (RFC 3261 §22.2).
    const codes = statuses(await call.messages()).filter((c) => c !== 401);
    refusedWith(t, codes, 433);
    t.like(await lab.record(await call.callId()), {
      called: alice,
      outcome: 'rejected',
      outcome_reason: 'anonymous-rejected',
      failure_code: 433,
    });
    t.deepEqual(received(await phone.messages(), 'INVITE'), [], 'alice was rung');
  });
}

// --- SPEC §3.8 nuisance call blocking -------------------------------------------------------

const blocking: LineSpec[] = [
  {
    numbers: [
      {
        number: bob,
        subscriptions: ['nuisance_blocking'],
        // Hyphens are allowed on input (SPEC §2).
        nuisanceBlocking: { numbers: ['03-1200-0001', '0312000002'] },
      },
    ],
  },
];

/** This month in Tokyo, the voice group's default zone: 'YYYY-MM'. */
function tokyoMonth(): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Tokyo',
    year: 'numeric',
    month: '2-digit',
  }).formatToParts(new Date());
  const part = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${part('year')}-${part('month')}`;
}

test('nuisance blocking: listed callers hear the guidance, 603, never ring; counted', async (t) => {
  const lab = await CallLab.start({ lines: blocking });
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(bob, 'phone-answer');
  const month = tokyoMonth();
  t.is(await lab.screeningCount(bob, 'nuisance_blocking', month, { timeoutMs: 0 }), 0);

  // The first asserts +81 3-1200-0001 (P-Asserted-Identity before From, RFC 3325), the second
  // presents 03-1200-0002 in From alone: both forms of a listed number match.
  const first = await refusedCall(t, lab, bob, {
    from: numbered('0399990000'),
    headers: ['P-Asserted-Identity: <sip:+81312000001@carrier.example;user=phone>'],
  });
  const second = await refusedCall(t, lab, bob, { from: numbered('0312000002') });

  for (const caller of [first, second]) {
    refusedWith(t, statuses(await caller.messages()), 603);
    t.like(await lab.record(await caller.callId()), {
      called: bob,
      outcome: 'rejected',
      outcome_reason: 'nuisance-blocked',
      failure_code: 603,
    });
  }
  t.deepEqual(received(await phone.messages(), 'INVITE'), [], 'bob was rung');
  // Counter writes are batched (≤ ~1 s).
  t.is(await lab.screeningCount(bob, 'nuisance_blocking', month, { atLeast: 2 }), 2);
});

test('nuisance blocking: a caller not on the list rings', async (t) => {
  const lab = await CallLab.start({ lines: blocking });
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(bob, 'phone-answer');
  const caller = await answeredCall(t, lab, bob, { from: numbered('0312000003') });

  await succeeded(t, phone);
  t.like(await lab.record(await caller.callId()), { outcome: 'answered' });
  t.is(await lab.screeningCount(bob, 'nuisance_blocking', tokyoMonth(), { timeoutMs: 1500 }), 0);
});

test('nuisance blocking cannot block a withheld caller, even a listed one', async (t) => {
  const lab = await CallLab.start({ lines: blocking });
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(bob, 'phone-answer');
  const caller = await answeredCall(t, lab, bob, {
    from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
    headers: [`P-Asserted-Identity: ${numbered('0312000001')}`, 'Privacy: id'],
  });

  await succeeded(t, phone);
  t.false(statuses(await caller.messages()).includes(603));
  t.like(await lab.record(await caller.callId()), { outcome: 'answered' });
});
