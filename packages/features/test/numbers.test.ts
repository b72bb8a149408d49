import test from 'ava';
import fc from 'fast-check';
import { isInternational, normalizeNumber, numberFromUri } from '../src/numbers.ts';

const normalizes: [string, string | undefined][] = [
  // national forms
  ['0312345678', '0312345678'],
  ['03-1234-5678', '0312345678'],
  ['(03) 1234.5678', '0312345678'],
  ['  03 1234 5678 ', '0312345678'],
  ['050-1234-5678', '05012345678'],
  ['090.1234.5678', '09012345678'],
  // +81 / 81: a Japanese number in international form
  ['+81312345678', '0312345678'],
  ['+81-3-1234-5678', '0312345678'],
  ['+81 90 1234 5678', '09012345678'],
  ['81312345678', '0312345678'],
  ['+81 (0)3 1234 5678', '0312345678'],
  ['010-81-3-1234-5678', '0312345678'],
  // abroad: kept with (or given) the 010 prefix
  ['010-1-212-555-0123', '01012125550123'],
  ['+1 212 555 0123', '01012125550123'],
  ['+44 20 7946 0958', '010442079460958'],
  ['0106834002', '0106834002'],
  // not numbers, or not of a number's length
  ['', undefined],
  ['   ', undefined],
  ['abc', undefined],
  ['03-1234-567a', undefined],
  ['#31#0312345678', undefined],
  ['031234567', undefined],
  ['031234567890', undefined],
  ['0033', undefined],
  ['0033312345678', undefined],
  ['110', undefined],
  ['12345678', undefined],
  ['+81 3 1234', undefined],
  ['+0312345678', undefined],
  ['+', undefined],
  ['010', undefined],
  ['010123456', undefined],
  ['010' + '1'.repeat(30), undefined],
  ['+81+312345678', undefined],
  ['03/1234/5678', undefined],
];

for (const [input, expected] of normalizes) {
  test(`normalizeNumber(${JSON.stringify(input)}) is ${String(expected)}`, (t) => {
    t.is(normalizeNumber(input), expected);
  });
}

test('normalizeNumber keeps a 32-digit 010 number and refuses 33 digits', (t) => {
  const longest = '010' + '1'.repeat(29);
  t.is(normalizeNumber(longest), longest);
  t.is(normalizeNumber(longest + '1'), undefined);
});

test('isInternational is true for 010 numbers in any form, false for national ones', (t) => {
  t.true(isInternational('01012125550123'));
  t.true(isInternational('+1 212 555 0123'));
  t.false(isInternational('0312345678'));
  t.false(isInternational('+81312345678'));
  t.false(isInternational('010-81-3-1234-5678'));
  t.false(isInternational('garbage'));
});

const uris: [string, Parameters<typeof numberFromUri>[0], string | undefined][] = [
  [
    'sip URI with user=phone',
    { scheme: 'sip', user: '+81312345678', params: { user: 'phone' } },
    '0312345678',
  ],
  ['sip URI without user=phone', { scheme: 'sip', user: '0312345678', params: {} }, '0312345678'],
  ['sips URI', { scheme: 'sips', user: '03-1234-5678' }, '0312345678'],
  ['scheme in capitals', { scheme: 'SIP', user: '0312345678' }, '0312345678'],
  ['escaped +', { scheme: 'sip', user: '%2B81312345678' }, '0312345678'],
  ['bad escape', { scheme: 'sip', user: '%E0%A4%A' }, undefined],
  [
    'user part with phone-context +81',
    { scheme: 'sip', user: '03-1234-5678;phone-context=+81', params: { user: 'phone' } },
    '0312345678',
  ],
  [
    'user part with a domain phone-context',
    { scheme: 'sip', user: '0312345678;phone-context=example.jp' },
    '0312345678',
  ],
  [
    'user part with a foreign phone-context',
    { scheme: 'sip', user: '0312345678;phone-context=+44' },
    undefined,
  ],
  ['user part with isub', { scheme: 'sip', user: '+81312345678;isub=1234' }, '0312345678'],
  ['sip URI naming a person', { scheme: 'sip', user: 'alice' }, undefined],
  ['sip URI without user part', { scheme: 'sip' }, undefined],
  ['tel global number', { scheme: 'tel', number: '+81-3-1234-5678', params: {} }, '0312345678'],
  [
    'tel local number in +81',
    { scheme: 'tel', number: '03-1234-5678', params: { 'phone-context': '+81' } },
    '0312345678',
  ],
  [
    'tel local number in another country',
    { scheme: 'tel', number: '020-7946-0958', params: { 'phone-context': '+44' } },
    undefined,
  ],
  [
    'tel global number with isub',
    { scheme: 'tel', number: '+1-212-555-0123', params: { isub: '12' } },
    '01012125550123',
  ],
  ['tel URI without number', { scheme: 'tel' }, undefined],
  ['mailto URI', { scheme: 'mailto', user: '0312345678' }, undefined],
];

for (const [name, uri, expected] of uris) {
  test(`numberFromUri: ${name}`, (t) => {
    t.is(numberFromUri(uri), expected);
  });
}

// Any string, and strings built from the characters numbers are written with.
const numberish = fc.oneof(
  fc.string(),
  fc.stringMatching(/^[+]?[0-9 ().-]{0,20}$/),
  fc.stringMatching(/^(\+81|81|010|0)[0-9-]{6,14}$/),
);

test('normalizeNumber is idempotent', (t) => {
  fc.assert(
    fc.property(numberish, (s) => {
      const n = normalizeNumber(s);
      return n === undefined || normalizeNumber(n) === n;
    }),
  );
  t.pass();
});

test('normalizeNumber gives only national (0[1-9]) or 010 digits of 10–32', (t) => {
  fc.assert(
    fc.property(numberish, (s) => {
      const n = normalizeNumber(s);
      return n === undefined || /^(0[1-9]\d{8,9}|010[1-9]\d{6,28})$/.test(n);
    }),
  );
  t.pass();
});

test('visual separators never change the number', (t) => {
  const national = fc.stringMatching(/^0[1-9][0-9]{8,9}$/);
  fc.assert(
    fc.property(national, fc.array(fc.nat(), { maxLength: 4 }), (n, cuts) => {
      let written = n;
      for (const cut of cuts) {
        const at = cut % (written.length + 1);
        written = written.slice(0, at) + '-' + written.slice(at);
      }
      return normalizeNumber(written) === normalizeNumber(n);
    }),
  );
  t.pass();
});

test('+81 and national forms of one number are equal', (t) => {
  fc.assert(
    fc.property(fc.stringMatching(/^[1-9][0-9]{8,9}$/), (significant) => {
      return normalizeNumber(`+81${significant}`) === `0${significant}`;
    }),
  );
  t.pass();
});
