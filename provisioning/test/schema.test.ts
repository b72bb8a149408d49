import { readFileSync } from 'node:fs';
import test from 'ava';
import { provisioningJsonSchema } from '../src/json-schema.ts';
import { forwardingTargetProblem } from '../src/phone-number.ts';
import { validateProvisioning } from '../src/validate-provisioning.ts';

/** A minimal valid document with one base number whose fields a test overrides. */
function withNumber(number: Record<string, unknown>, line: Record<string, unknown> = {}) {
  return {
    version: 1,
    voiceGroups: [
      {
        code: 'VG00001',
        name: 'Demo',
        sites: [
          {
            code: '1000001',
            name: 'HQ',
            accessLines: [
              {
                code: 'N000000001',
                channels: 4,
                numbers: [{ number: '03-1234-5678', ...number }],
                ...line,
              },
            ],
          },
        ],
      },
    ],
  };
}

const numberPath = 'voiceGroups[0].sites[0].accessLines[0].numbers[0]';

const errorsOf = (input: unknown) => {
  const result = validateProvisioning(input);
  return result.ok ? [] : result.errors;
};

test('schema.json is the current output of the zod schema (npm run -w provisioning schema)', (t) => {
  const checkedIn = readFileSync(new URL('../schema.json', import.meta.url), 'utf8');
  t.is(checkedIn, provisioningJsonSchema());
});

test('hyphens are stripped from numbers, at most 3 accepted', (t) => {
  const result = validateProvisioning(withNumber({}));
  t.true(result.ok);
  if (result.ok)
    t.is(
      result.document.voiceGroups[0]?.sites[0]?.accessLines[0]?.numbers[0]?.number,
      '0312345678',
    );
  t.deepEqual(errorsOf(withNumber({ number: '0-3-1-2-345678' })), [
    `${numberPath}.number: at most 3 hyphens`,
  ]);
});

const refused: Array<[string, unknown, unknown, string]> = [
  [
    'channels below 1',
    {},
    { channels: 0 },
    'voiceGroups[0].sites[0].accessLines[0].channels: at least 1 channel',
  ],
  [
    'a 12-digit number',
    { number: '031234567890' },
    {},
    `${numberPath}.number: a national number: 0 then 9–10 digits`,
  ],
  [
    'ring time 31 s',
    {
      forwarding: {
        enabled: true,
        when: ['noAnswer'],
        ringTime: 31,
        slots: ['09012345678'],
        target: 1,
      },
    },
    {},
    `${numberPath}.forwarding.ringTime: `,
  ],
  [
    'six slots',
    { forwarding: { enabled: false, when: 'unconditional', slots: Array(6).fill('09012345678') } },
    {},
    `${numberPath}.forwarding.slots: `,
  ],
  [
    'an empty active slot',
    { forwarding: { enabled: true, when: 'unconditional', slots: ['09012345678'], target: 2 } },
    {},
    `${numberPath}.forwarding.target: slot 2 is empty`,
  ],
  [
    'forwarding to itself',
    { forwarding: { enabled: true, when: 'unconditional', slots: ['03-1234-5678'], target: 1 } },
    {},
    `${numberPath}.forwarding.slots[0]: a number cannot forward to itself`,
  ],
  [
    'voicemail without subscription',
    { forwarding: { enabled: true, when: ['busy'], slots: [null], target: 'voicemail' } },
    {},
    `${numberPath}.forwarding.target: voicemail needs the voicemail subscription`,
  ],
  [
    '31 nuisance numbers',
    {
      subscriptions: ['nuisance_blocking'],
      nuisanceBlocking: { numbers: Array(31).fill('0312340000') },
    },
    {},
    `${numberPath}.nuisanceBlocking.numbers: at most 30 numbers`,
  ],
  [
    'a nuisance number of 14 characters (11 digits, 3 hyphens)',
    {
      subscriptions: ['nuisance_blocking'],
      nuisanceBlocking: { numbers: ['0-3-123-456789'] },
    },
    {},
    `${numberPath}.nuisanceBlocking.numbers[0]: at most 13 characters with hyphens`,
  ],
  [
    '4 voicemail addresses',
    {
      subscriptions: ['voicemail'],
      voicemail: { notification: { addresses: ['a@x.jp', 'b@x.jp', 'c@x.jp', 'd@x.jp'] } },
    },
    {},
    `${numberPath}.voicemail.notification.addresses: at most 3 addresses`,
  ],
  [
    '6 notice addresses',
    {
      subscriptions: ['incoming_call_notice'],
      incomingCallNotice: { enabled: true, addresses: Array(6).fill({ address: 'a@x.jp' }) },
    },
    {},
    `${numberPath}.incomingCallNotice.addresses: at most 5 addresses`,
  ],
  [
    'a PIN run 6789',
    { subscriptions: ['voicemail'], voicemail: { pin: '06789' } },
    {},
    `${numberPath}.voicemail.pin: a PIN cannot contain 4 or more consecutive digits`,
  ],
  [
    'a setting without its subscription',
    { anonymousRejection: { enabled: true } },
    {},
    `${numberPath}.anonymousRejection: needs the anonymous_rejection subscription`,
  ],
  [
    'bulk forwarding without slot 5',
    { forwarding: { enabled: false, when: ['busy'], slots: ['09012345678'] } },
    { subscriptions: ['bulk_forwarding'] },
    `${numberPath}.forwarding.slots: slot 5 must be set`,
  ],
  ['an unknown key', { colour: 'blue' }, {}, `${numberPath}: `],
];

for (const [name, number, line, expected] of refused) {
  test(`refuses ${name}, naming the path`, (t) => {
    const errors = errorsOf(
      withNumber(number as Record<string, unknown>, line as Record<string, unknown>),
    );
    t.true(
      errors.some((e) => e.startsWith(expected)),
      `got: ${errors.join(' | ')}`,
    );
  });
}

test('a SIP-ID used twice in one file is refused at its second place', (t) => {
  const doc = withNumber({ sip: { username: 'same', password: 'password1' } });
  doc.voiceGroups[0]?.sites[0]?.accessLines[0]?.numbers.push({
    number: '0312345679',
    sip: { username: 'same', password: 'password2' },
  } as never);
  t.deepEqual(errorsOf(doc), [
    `voiceGroups[0].sites[0].accessLines[0].numbers[1].sip.username: same also appears at ${numberPath}.sip.username`,
  ]);
});

const targets: Array<[string, string | undefined]> = [
  ['09012345678', undefined],
  ['0312345678', undefined],
  ['0101234567890', undefined],
  ['0033', 'carrier-selection prefixes (00XY) cannot be forwarding targets'],
  ['117', 'short codes (1XY such as 104, 110, 117, 119, 177) cannot be forwarding targets'],
  ['0120123456', '0120, 0570, 0990 and 0800 numbers cannot be forwarding targets'],
  ['02012345678', '020, 030, 040 and 060 numbers cannot be forwarding targets'],
  ['05033001234', '050-3300 numbers cannot be forwarding targets'],
  ['#8000', 'a forwarding target cannot start with #'],
  ['2001', 'extension numbers cannot be forwarding targets'],
];
for (const [target, problem] of targets) {
  test(`forwarding target ${target}: ${problem ?? 'allowed'}`, (t) => {
    t.is(forwardingTargetProblem(target), problem);
  });
}

// The rules themselves are tested in @ipvoice/features (validatePin); here, that each reaches
// the document's errors at the PIN's path.
test('PINs: 4–8 digits, no 4-digit runs up or down, no digit 4 times in a row', (t) => {
  const pinErrors = (pin: string) =>
    errorsOf(withNumber({ subscriptions: ['voicemail'], voicemail: { pin } }));
  t.deepEqual(pinErrors('2580'), []);
  t.deepEqual(pinErrors('13572468'), []);
  t.deepEqual(pinErrors('123'), [`${numberPath}.voicemail.pin: a PIN has 4–8 digits`]);
  t.deepEqual(pinErrors('12a4'), [`${numberPath}.voicemail.pin: a PIN is digits only (0–9)`]);
  t.deepEqual(pinErrors('903210'), [
    `${numberPath}.voicemail.pin: a PIN cannot contain 4 or more consecutive digits such as 6789 or 3210`,
  ]);
  t.deepEqual(pinErrors('577778'), [
    `${numberPath}.voicemail.pin: a PIN cannot repeat the same digit 4 or more times in a row`,
  ]);
});
