import test from 'ava';
import fc from 'fast-check';
import { pinMessages, validatePin } from '../src/pin.ts';

// An oracle written differently from the rule: a window of 4 is a run when it appears in the
// digits counted up or down, a repeat when all four are one digit.
const UP = '0123456789';
const DOWN = '9876543210';
function windows(pin: string): string[] {
  return Array.from({ length: Math.max(0, pin.length - 3) }, (_, i) => pin.slice(i, i + 4));
}
const hasRun = (pin: string) => windows(pin).some((w) => UP.includes(w) || DOWN.includes(w));
const hasRepeat = (pin: string) => /(\d)\1{3}/.test(pin);
function expected(pin: string): string | undefined {
  if (hasRun(pin)) return pinMessages.run;
  if (hasRepeat(pin)) return pinMessages.repeated;
  return undefined;
}
const messageOf = (pin: string) => {
  const check = validatePin(pin);
  return check.ok ? undefined : check.message;
};

const cases: Array<[string, string, string | undefined]> = [
  ['a spread-out 4-digit PIN', '2580', undefined],
  ['an 8-digit PIN without runs', '13572468', undefined],
  ['three ascending digits are not a run', '1235', undefined],
  ['three descending digits are not a run', '9875', undefined],
  ['three of a digit in a row are allowed', '1112', undefined],
  ['five of a digit, never four in a row, are allowed', '11211121', undefined],
  ['runs do not wrap from 9 to 0', '8901', undefined],
  ['runs do not wrap from 0 to 9', '1098', undefined],
  ['a run broken by direction is not a run', '1232', undefined],
  ['leading zeros are kept', '0007', undefined],
  ['3 digits are too short', '123', pinMessages.length],
  ['the empty PIN is too short', '', pinMessages.length],
  ['9 digits are too long', '135724680', pinMessages.length],
  ['letters are refused', 'abcd', pinMessages.digitsOnly],
  ['a hyphen is refused', '12-34', pinMessages.digitsOnly],
  ['a space is refused', '1357 ', pinMessages.digitsOnly],
  ['full-width digits are refused', '２５８０', pinMessages.digitsOnly],
  ['Arabic-Indic digits are refused', '٢٥٨٠', pinMessages.digitsOnly],
  ['a sign is refused', '+2580', pinMessages.digitsOnly],
  ['too long and not digits: digits only first', '123456789x', pinMessages.digitsOnly],
  ['6789 ascending', '6789', pinMessages.run],
  ['3210 descending', '3210', pinMessages.run],
  ['0123 from zero', '0123', pinMessages.run],
  ['9876 from nine', '9876', pinMessages.run],
  ['a run inside a longer PIN', '903210', pinMessages.run],
  ['a run at the end of 8 digits', '95304567', pinMessages.run],
  ['a run of 5', '24567894', pinMessages.run],
  ['1111', '1111', pinMessages.repeated],
  ['four of a digit inside a longer PIN', '577778', pinMessages.repeated],
  ['eight of a digit', '00000000', pinMessages.repeated],
  ['a run and a repeat: the run is reported', '12344440', pinMessages.run],
];
for (const [name, pin, message] of cases) {
  test(`§3.11 PIN ${JSON.stringify(pin)}: ${name}`, (t) => {
    t.deepEqual(validatePin(pin), message === undefined ? { ok: true } : { ok: false, message });
  });
}

test('every message is distinct', (t) => {
  const all = Object.values(pinMessages);
  t.is(new Set(all).size, all.length);
});

test('every 4- and 5-digit PIN agrees with the oracle', (t) => {
  for (const length of [4, 5]) {
    let refused = 0;
    for (let n = 0; n < 10 ** length; n++) {
      const pin = String(n).padStart(length, '0');
      const want = expected(pin);
      if (want !== undefined) refused++;
      if (messageOf(pin) !== want) t.fail(`${pin}: ${messageOf(pin)} ≠ ${want}`);
    }
    // 4 digits: 7 runs up, 7 down and 10 repeats.
    if (length === 4) t.is(refused, 24);
  }
  t.pass();
});

const digitString = (min: number, max: number) =>
  fc
    .array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max })
    .map((ds) => ds.join(''));

test('6–8 digit PINs agree with the oracle', (t) => {
  fc.assert(
    fc.property(digitString(6, 8), (pin) => {
      t.is(messageOf(pin), expected(pin));
    }),
    { numRuns: 5000 },
  );
});

test('a run of 4 up or down placed anywhere in a PIN is refused as a run', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 6 }),
      fc.boolean(),
      digitString(0, 4),
      fc.nat(4),
      (start, up, rest, at) => {
        const run = (up ? UP : DOWN).slice(start, start + 4);
        const cut = Math.min(at, rest.length);
        const pin = rest.slice(0, cut) + run + rest.slice(cut);
        t.is(messageOf(pin), pinMessages.run);
      },
    ),
  );
});

test('any digit 4 times in a row, without a run, is refused as a repeat', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 9 }), digitString(0, 4), fc.nat(4), (d, rest, at) => {
      const cut = Math.min(at, rest.length);
      const pin = rest.slice(0, cut) + String(d).repeat(4) + rest.slice(cut);
      fc.pre(!hasRun(pin));
      t.is(messageOf(pin), pinMessages.repeated);
    }),
  );
});

test('anything with a character other than 0–9 is refused as not digits', (t) => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 10 }).filter((s) => /[^0-9]/.test(s)),
      (pin) => {
        t.is(messageOf(pin), pinMessages.digitsOnly);
      },
    ),
  );
});
