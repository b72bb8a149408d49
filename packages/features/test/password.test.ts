import test from 'ava';
import { passwordMessages, validatePassword } from '../src/password.ts';

const cases: Array<[string, string, string | undefined]> = [
  ['accepts 8 characters with letters and digits', 'abcdefg1', undefined],
  ['accepts 40 characters', `${'a'.repeat(39)}1`, undefined],
  ['accepts symbols besides letters and digits', 'pass word!9', undefined],
  ['counts non-ASCII letters as letters', 'パスワード1234', undefined],
  ['refuses 7 characters', 'abcdef1', passwordMessages.length],
  ['refuses 41 characters', `${'a'.repeat(40)}1`, passwordMessages.length],
  ['refuses the empty password', '', passwordMessages.length],
  ['refuses digits only', '12345678', passwordMessages.letters],
  ['refuses letters only', 'abcdefgh', passwordMessages.digits],
  ['reports length before content', '1234', passwordMessages.length],
];

for (const [title, password, message] of cases) {
  test(title, (t) => {
    const check = validatePassword(password);
    if (message === undefined) t.deepEqual(check, { ok: true });
    else t.deepEqual(check, { ok: false, message });
  });
}

test('counts characters, not UTF-16 units or bytes', (t) => {
  // 6 emoji (12 UTF-16 units), a letter and a digit: 8 characters.
  t.deepEqual(validatePassword('😀😀😀😀😀😀a1'), { ok: true });
  t.deepEqual(validatePassword('😀😀😀😀😀a1'), { ok: false, message: passwordMessages.length });
});
