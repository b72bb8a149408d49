import test from 'ava';
import fc from 'fast-check';
import { EMERGENCY_NUMBERS, isEmergencyNumber } from '../src/emergency.ts';

const cases: Array<{ dialled: string; emergency: boolean; why: string }> = [
  { dialled: '110', emergency: true, why: 'police' },
  { dialled: '118', emergency: true, why: 'coast guard' },
  { dialled: '119', emergency: true, why: 'fire and ambulance' },
  { dialled: '1-1-0', emergency: true, why: 'hyphens are visual separators' },
  { dialled: ' 119 ', emergency: true, why: 'surrounding white space is ignored' },
  { dialled: '(118)', emergency: true, why: 'parentheses are visual separators' },
  { dialled: '1 1 9', emergency: true, why: 'spaces between digits are visual separators' },
  {
    dialled: '117',
    emergency: false,
    why: 'the speaking clock is a short code, not an emergency number',
  },
  { dialled: '104', emergency: false, why: 'directory enquiries' },
  { dialled: '111', emergency: false, why: 'not an emergency number' },
  { dialled: '1100', emergency: false, why: 'a longer number that starts like 110' },
  { dialled: '0110', emergency: false, why: 'a leading zero makes another number' },
  { dialled: '184110', emergency: false, why: 'the 184 prefix is taken off before asking' },
  { dialled: '186119', emergency: false, why: 'the 186 prefix is taken off before asking' },
  { dialled: '+81110', emergency: false, why: 'not a national form of 110' },
  { dialled: '#110', emergency: false, why: 'a service code' },
  { dialled: '', emergency: false, why: 'nothing dialled' },
];

for (const c of cases) {
  test(`${JSON.stringify(c.dialled)} ${c.emergency ? 'is' : 'is not'} an emergency number (${c.why})`, (t) => {
    t.is(isEmergencyNumber(c.dialled), c.emergency);
  });
}

test('the emergency numbers are exactly 110, 118 and 119', (t) => {
  t.deepEqual([...EMERGENCY_NUMBERS].sort(), ['110', '118', '119']);
});

test('property: a digit string is an emergency number exactly when it is 110, 118 or 119', (t) => {
  fc.assert(
    fc.property(
      fc.stringMatching(/^\d{0,6}$/),
      (digits) => isEmergencyNumber(digits) === ['110', '118', '119'].includes(digits),
    ),
    { numRuns: 2000 },
  );
  t.pass();
});
