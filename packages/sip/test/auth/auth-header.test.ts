import test from 'ava';
import { formatAuthValue } from '../../src/auth/auth-header.ts';
import { parseAuthParams } from '../../src/message/headers.ts';

test('formatting quotes what is asked, escapes quotes and round-trips through the parser', (t) => {
  const text = formatAuthValue('Digest', [
    ['username', 'a"b\\c', true],
    ['realm', 'example.com', true],
    ['nc', '00000001', false],
  ]);
  t.is(text, 'Digest username="a\\"b\\\\c", realm="example.com", nc=00000001');
  t.deepEqual(parseAuthParams(text), {
    scheme: 'Digest',
    params: { username: 'a"b\\c', realm: 'example.com', nc: '00000001' },
  });
});
