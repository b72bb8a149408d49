import test from 'ava';
import { bulkResultCsv } from '../src/index.ts';

test('the result file opens in Excel: BOM, CRLF, header, quoted reasons', (t) => {
  const csv = bulkResultCsv([
    { number: '0312345678', outcome: 'ok', reason: null },
    { number: '0312345679', outcome: 'error', reason: '転送先5が未設定, "slot 5"' },
  ]);
  t.is(
    csv,
    '\uFEFFnumber,result,reason\r\n' +
      '0312345678,ok,\r\n' +
      '0312345679,error,"転送先5が未設定, ""slot 5"""\r\n',
  );
  t.is(Buffer.from(csv, 'utf8').subarray(0, 3).toString('hex'), 'efbbbf');
});

test('an operation without members still has a header', (t) => {
  t.is(bulkResultCsv([]), '\uFEFFnumber,result,reason\r\n');
});
