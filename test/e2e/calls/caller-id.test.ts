// SPEC §3.6 caller ID on outgoing calls through the real server, read at the outbound trunk's
// SIPp (a trusted peer: it gets the real identity in P-Asserted-Identity, RFC 3325) and at a
// local callee's phone (a device: it never does): presentation and withholding by setting and
// by the 184/186 prefixes, specific number presentation, hunt-group members' pilot number,
// and a phone's own asserted identity, which is never passed on.
import test from 'ava';
import {
  CallLab,
  extraHeaders,
  received,
  succeeded,
  type CallLabOptions,
  type TracedMessage,
} from '../../helpers/calls.ts';

const outside = '0312000001';
const alice = '0355550001';
const wanda = '0355550002';
const sam = '0355550003';
const bob = '0355550004';
const tollFree = '0120999888';

const lines: CallLabOptions['lines'] = [
  {
    numbers: [
      { number: alice },
      { number: wanda, callerId: { presentation: 'withhold' } },
      {
        number: sam,
        subscriptions: [{ feature: 'specific_number_presentation', number: tollFree }],
      },
      { number: bob },
    ],
  },
];

/** `caller` dials `dialled` (prefix included); the INVITE the outbound trunk got for `number`. */
async function atTrunk(
  t: import('ava').ExecutionContext,
  options: Omit<CallLabOptions, 'inboundTrunks'>,
  caller: string,
  dialled: string,
  number: string,
  extra: string[] = [],
): Promise<TracedMessage> {
  const lab = await CallLab.start(options);
  t.teardown(() => lab.dispose());
  const trunk = await lab.outboundTrunk(number, 'phone-answer');
  const call = await lab.subscriberCall({
    caller,
    callee: dialled,
    scenario: 'phone-call-custom',
    vars: extraHeaders(...extra),
  });
  await succeeded(t, call, trunk);
  const invites = received(await trunk.messages(), 'INVITE');
  t.is(invites.length, 1);
  const invite = invites[0] as TracedMessage;
  // The prefix is the caller's instruction, not part of the number (SPEC §3.6).
  t.regex(invite.startLine, new RegExp(`^INVITE sip:${number}@`));
  t.regex(invite.header('To') ?? '', new RegExp(`sip:${number}@`));
  return invite;
}

const privacyId = (m: TracedMessage) =>
  m.headers('Privacy').some((v) => /(^|[;,\s])id($|[;,\s])/i.test(v));

function presented(t: import('ava').ExecutionContext, invite: TracedMessage, number: string) {
  t.regex(invite.header('From') ?? '', new RegExp(`<sip:${number}@[^>]*;user=phone>`));
  t.regex(invite.header('P-Asserted-Identity') ?? '', new RegExp(`sip:${number}@[^>]*;user=phone`));
  t.false(privacyId(invite), `Privacy: ${invite.headers('Privacy').join(', ')}`);
}

function withheld(t: import('ava').ExecutionContext, invite: TracedMessage, number: string) {
  t.regex(invite.header('From') ?? '', /^"Anonymous" <sip:anonymous@anonymous\.invalid>/);
  t.true(privacyId(invite), `Privacy: ${invite.headers('Privacy').join(', ')}`);
  // Towards a trusted peer the real identity goes in P-Asserted-Identity (RFC 3325 §9.1).
  t.regex(invite.header('P-Asserted-Identity') ?? '', new RegExp(`sip:${number}@`));
}

test('present (the default): From and P-Asserted-Identity carry the number, no Privacy', async (t) => {
  presented(t, await atTrunk(t, { lines }, alice, outside, outside), alice);
});

test('withhold setting: anonymous From, Privacy: id, the real number asserted to the trunk', async (t) => {
  withheld(t, await atTrunk(t, { lines }, wanda, outside, outside), wanda);
});

test('184 before the number withholds; the trunk gets the number without it', async (t) => {
  withheld(t, await atTrunk(t, { lines }, alice, `184${outside}`, outside), alice);
});

test('186 before the number presents despite the withhold setting', async (t) => {
  presented(t, await atTrunk(t, { lines }, wanda, `186${outside}`, outside), wanda);
});

test("a withheld call to a local number: the callee's phone gets no identity", async (t) => {
  const lab = await CallLab.start({ lines });
  t.teardown(() => lab.dispose());
  const phone = await lab.phone(bob, 'phone-answer');
  const call = await lab.subscriberCall({ caller: wanda, callee: bob });

  await succeeded(t, call, phone);
  const [invite] = received(await phone.messages(), 'INVITE');
  t.regex(invite?.header('From') ?? '', /^"Anonymous" <sip:anonymous@anonymous\.invalid>/);
  t.deepEqual(invite?.headers('P-Asserted-Identity'), [], 'a device got the asserted identity');
  t.false((invite?.text ?? '').includes(wanda), 'the number shows somewhere in the INVITE');
});

test('specific number presentation: From and P-Asserted-Identity carry the 0120 number', async (t) => {
  presented(t, await atTrunk(t, { lines }, sam, outside, outside), tollFree);
});

test('specific number presentation turned off: the own number again', async (t) => {
  const off: CallLabOptions['lines'] = [
    {
      numbers: [
        {
          number: sam,
          subscriptions: [{ feature: 'specific_number_presentation', number: tollFree }],
          specificNumberPresentation: { enabled: false },
        },
      ],
    },
  ];
  presented(t, await atTrunk(t, { lines: off }, sam, outside, outside), sam);
});

test("a phone's own P-Asserted-Identity and P-Preferred-Identity are never passed on", async (t) => {
  const invite = await atTrunk(t, { lines }, alice, outside, outside, [
    'P-Asserted-Identity: <sip:0399999999@ipvoice.local;user=phone>',
    'P-Preferred-Identity: <sip:0399999998@ipvoice.local;user=phone>',
  ]);
  presented(t, invite, alice);
  t.deepEqual(invite.headers('P-Preferred-Identity'), []);
  t.false(invite.text.includes('0399999999'), 'the asserted number was passed on');
  t.false(invite.text.includes('0399999998'), 'the preferred number was passed on');
});

const pilot = '0355560001';
const member = '0355560002';

for (const [mode, shown] of [
  ['pilot', pilot],
  ['individual', member],
] as const) {
  test(`a hunt-group member calls out with caller ID mode ${mode}: ${shown} is presented`, async (t) => {
    const options: CallLabOptions = {
      lines: [{ numbers: [{ number: pilot, subscriptions: ['hunt_group'] }, { number: member }] }],
      huntGroups: [{ pilot, callerId: mode, members: [member] }],
    };
    presented(t, await atTrunk(t, options, member, outside, outside), shown);
  });
}
