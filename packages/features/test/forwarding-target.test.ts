import { isDeepStrictEqual } from 'node:util';
import test from 'ava';
import fc from 'fast-check';
import {
  checkTargetNumber,
  targetMessages as m,
  validateForwardingTarget,
  type TargetCheck,
} from '../src/forwarding-target.ts';
import { normalizeNumber } from '../src/numbers.ts';

const own = { ownNumber: '0311112222' };
const ok = (number: string): TargetCheck => ({ ok: true, number });
const no = (message: string): TargetCheck => ({ ok: false, message });

// SPEC §3.1 target rules: [what the row shows, input, outcome].
const rules: [string, string, TargetCheck][] = [
  // allowed
  ['a fixed number with area code', '0312345678', ok('0312345678')],
  ['a fixed number written with hyphens', '03-1234-5678', ok('0312345678')],
  ['a fixed number with a 4-digit area code', '0466-12-3456', ok('0466123456')],
  ['a fixed number in Sapporo (011)', '011-123-4567', ok('0111234567')],
  ['a 050 IP number', '050-1234-5678', ok('05012345678')],
  ['a 070 mobile', '070-1234-5678', ok('07012345678')],
  ['an 080 mobile', '080-1234-5678', ok('08012345678')],
  ['a 090 mobile', '090-1234-5678', ok('09012345678')],
  ['an international number with 010', '010-1-212-5550123', ok('01012125550123')],
  ['a 32-digit international number', '010' + '1'.repeat(29), ok('010' + '1'.repeat(29))],
  ['a Japanese number dialled with 010-81', '010-81-3-12345678', ok('0312345678')],
  ['surrounding white space', ' 0312345678 ', ok('0312345678')],
  ['exactly 3 hyphens', '0-3-1234-5678', ok('0312345678')],
  // empty, characters, hyphens, length
  ['an empty input', '', no(m.empty)],
  ['only white space', '   ', no(m.empty)],
  ['only hyphens', '---', no(m.empty)],
  ['a # code', '#31#0312345678', no(m.hash)],
  ['a lone #', '#', no(m.hash)],
  ['a + international form', '+1-212-555-0123', no(m.plus)],
  ['letters', '03-1234-567a', no(m.characters)],
  ['spaces between digits', '03 1234 5678', no(m.characters)],
  ['parentheses', '(03)1234-5678', no(m.characters)],
  ['a # after digits', '0312345678#', no(m.characters)],
  ['4 hyphens', '0-3-12-34-5678', no(m.hyphens)],
  ['33 digits', '010' + '1'.repeat(30), no(m.tooLong)],
  ['36 characters: 33 digits and 3 hyphens', '010-1-2-' + '1'.repeat(28), no(m.tooLong)],
  // 1XY short codes, alone or as a prefix
  ['104 directory enquiries', '104', no(m.shortCode('104'))],
  ['110 police', '110', no(m.shortCode('110'))],
  ['115 telegrams', '115', no(m.shortCode('115'))],
  ['117 time', '117', no(m.shortCode('117'))],
  ['118 coast guard', '118', no(m.shortCode('118'))],
  ['119 fire and ambulance', '119', no(m.shortCode('119'))],
  ['177 weather', '177', no(m.shortCode('177'))],
  ['a 1 code with more digits', '1234567890', no(m.shortCode('123'))],
  ['a lone 1', '1', no(m.shortCode('1'))],
  // extension numbers
  ['a 3-digit extension', '201', no(m.extension)],
  ['a 4-digit extension', '5001', no(m.extension)],
  ['a local number without area code', '3234-5678', no(m.extension)],
  // carrier selection 00XY
  ['0033 alone', '0033', no(m.carrierSelection('0033'))],
  ['0035 alone', '0035', no(m.carrierSelection('0035'))],
  ['0033 before a number', '0033-03-1234-5678', no(m.carrierSelection('0033'))],
  ['0035 before an international number', '0035-010-1-2125550123', no(m.carrierSelection('0035'))],
  ['00 alone', '00', no(m.carrierSelection('00'))],
  // toll-free, navi-dial, premium-rate
  ['0120 toll-free', '0120-123-456', no(m.tollFree('0120'))],
  ['0800 toll-free', '0800-123-4567', no(m.tollFree('0800'))],
  ['0570 navi-dial', '0570-123-456', no(m.naviDial)],
  ['0990 premium-rate', '0990-123-456', no(m.premiumRate)],
  ['0120 dialled via 010-81', '010-81-120-123456', no(m.tollFree('0120'))],
  // 020/030/040/060 and 050-3300
  ['a 020 number', '020-1234-5678', no(m.nonTargetRange('020'))],
  ['a 030 number', '030-1234-5678', no(m.nonTargetRange('030'))],
  ['a 040 number', '040-1234-5678', no(m.nonTargetRange('040'))],
  ['a 060 number', '060-1234-5678', no(m.nonTargetRange('060'))],
  ['a 050-3300 number', '050-3300-1234', no(m.ip3300)],
  ['050-3300 without hyphens', '05033001234', no(m.ip3300)],
  ['a 050 number just outside 3300', '050-3301-1234', ok('05033011234')],
  // national lengths
  ['a 050 number with 10 digits', '050-1234-567', no(m.ipLength)],
  ['a 090 mobile with 10 digits', '090-1234-567', no(m.mobileLength('090'))],
  ['an 080 mobile with 12 digits', '080-1234-56789', no(m.mobileLength('080'))],
  ['a fixed number with 9 digits', '03-1234-567', no(m.fixedLength)],
  ['a fixed number with 11 digits', '03-1234-56789', no(m.fixedLength)],
  ['a lone 0', '0', no(m.fixedLength)],
  // international
  ['010 alone', '010', no(m.international)],
  ['010 with too few digits', '010-1-23456', no(m.international)],
  ['010 followed by 0', '010-0-212-5550123', no(m.international)],
  ['010-81 with a bad national part', '010-81-3-1234', no(m.international)],
  // the number itself
  ['the own number', '03-1111-2222', no(m.self)],
  ['the own number via 010-81', '010-81-3-11112222', no(m.self)],
];

for (const [name, input, expected] of rules) {
  test(`forwarding target: ${name} (${JSON.stringify(input)})`, (t) => {
    t.deepEqual(validateForwardingTarget(input, own), expected);
  });
}

test('forwarding target: the own number is compared normalized', (t) => {
  t.deepEqual(validateForwardingTarget('0311112222', { ownNumber: '+81-3-1111-2222' }), no(m.self));
});

test('forwarding target: international barring refuses 010 numbers (SPEC §3.9)', (t) => {
  const barred = { ...own, internationalBarring: true };
  t.deepEqual(validateForwardingTarget('010-1-212-5550123', barred), no(m.internationalBarred));
  // Domestic targets, even written as 010-81, are not international.
  t.deepEqual(validateForwardingTarget('010-81-3-12345678', barred), ok('0312345678'));
  t.deepEqual(
    validateForwardingTarget('010-1-212-5550123', { ...own, internationalBarring: false }),
    ok('01012125550123'),
  );
});

test('every refusal message is distinct', (t) => {
  const messages = [
    m.empty,
    m.hash,
    m.plus,
    m.characters,
    m.hyphens,
    m.tooLong,
    m.shortCode('104'),
    m.extension,
    m.carrierSelection('0033'),
    m.international,
    m.internationalBarred,
    m.tollFree('0120'),
    m.naviDial,
    m.premiumRate,
    m.nonTargetRange('020'),
    m.ip3300,
    m.ipLength,
    m.mobileLength('090'),
    m.fixedLength,
    m.self,
  ];
  t.is(new Set(messages).size, messages.length);
});

// Digit strings from the whole numbering plan: valid and refused prefixes, any length.
const digitStrings = fc.oneof(
  fc.stringMatching(/^[0-9]{1,34}$/),
  fc.stringMatching(/^0[1-9][0-9]{8,9}$/),
  fc.stringMatching(/^0(50|70|80|90)[0-9]{8}$/),
  fc.stringMatching(/^010[1-9][0-9]{6,20}$/),
  fc.stringMatching(/^(00|0120|0570|0990|0800|020|0503300|1)[0-9]{0,8}$/),
);

function withHyphens(digits: string, cuts: number[]): string {
  let written = digits;
  for (const cut of cuts) {
    const at = cut % (written.length + 1);
    written = written.slice(0, at) + '-' + written.slice(at);
  }
  return written;
}

test('up to 3 hyphens anywhere never change the outcome', (t) => {
  fc.assert(
    fc.property(digitStrings, fc.array(fc.nat(), { maxLength: 3 }), (digits, cuts) => {
      const plain = validateForwardingTarget(digits, own);
      const hyphenated = validateForwardingTarget(withHyphens(digits, cuts), own);
      return isDeepStrictEqual(hyphenated, plain);
    }),
  );
  t.pass();
});

test('a 4th hyphen always refuses the number', (t) => {
  fc.assert(
    fc.property(digitStrings, fc.array(fc.nat(), { minLength: 4, maxLength: 8 }), (d, cuts) => {
      const check = validateForwardingTarget(withHyphens(d, cuts), own);
      return !check.ok && check.message === m.hyphens;
    }),
  );
  t.pass();
});

test('an accepted target is the normalized input, and passes the number rules again', (t) => {
  fc.assert(
    fc.property(digitStrings, fc.array(fc.nat(), { maxLength: 3 }), (digits, cuts) => {
      const input = withHyphens(digits, cuts);
      const check = validateForwardingTarget(input, own);
      if (!check.ok) return true;
      return (
        check.number === normalizeNumber(input) &&
        check.number.length <= 32 &&
        checkTargetNumber(check.number).ok
      );
    }),
  );
  t.pass();
});

test('no accepted target starts with 1, 00, # or a refused range', (t) => {
  fc.assert(
    fc.property(digitStrings, (digits) => {
      const check = validateForwardingTarget(digits, own);
      return !check.ok || !/^(1|00|0120|0800|0570|0990|020|030|040|060|0503300)/.test(check.number);
    }),
  );
  t.pass();
});

test('the examples the messages give are themselves accepted', (t) => {
  const examples = [m.plus, m.characters, m.international, m.fixedLength].map(
    (message) => /e\.g\. ([0-9-]+)/.exec(message)?.[1],
  );
  t.deepEqual(
    examples.map((e) => e !== undefined && validateForwardingTarget(e, own).ok),
    [true, true, true, true],
  );
});
