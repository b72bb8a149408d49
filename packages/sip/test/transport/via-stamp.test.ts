import test from 'ava';
import type { Via } from '../../src/message/types.ts';
import { stampVia } from '../../src/transport/via-stamp.ts';

const via = (host: string, params: Via['params'] = { branch: 'z9hG4bK1' }, port?: number): Via => ({
  protocol: 'SIP/2.0',
  transport: 'UDP',
  host,
  ...(port === undefined ? {} : { port }),
  params,
});

test('same address as the source: nothing added (RFC 3261 §18.2.1)', (t) => {
  const v = via('192.0.2.1', { branch: 'z9hG4bK1' }, 5060);
  stampVia(v, '192.0.2.1', 5060);
  t.deepEqual(v.params, { branch: 'z9hG4bK1' });
});

test('a different address gets received', (t) => {
  const v = via('10.0.0.5');
  stampVia(v, '198.51.100.7', 40000);
  t.deepEqual(v.params, { branch: 'z9hG4bK1', received: '198.51.100.7' });
});

test('a host name always gets received', (t) => {
  const v = via('phone.example.com');
  stampVia(v, '198.51.100.7', 5060);
  t.is(v.params['received'], '198.51.100.7');
});

test('an empty rport is filled, and received added even when equal (RFC 3581 §4)', (t) => {
  const v = via('192.0.2.1', { branch: 'z9hG4bK1', rport: null }, 5060);
  stampVia(v, '192.0.2.1', 61000);
  t.deepEqual(v.params, { branch: 'z9hG4bK1', rport: '61000', received: '192.0.2.1' });
});

test('an rport with a value is left alone', (t) => {
  const v = via('192.0.2.1', { branch: 'z9hG4bK1', rport: '7' }, 5060);
  stampVia(v, '192.0.2.1', 61000);
  t.is(v.params['rport'], '7');
  t.false('received' in v.params);
});

test('IPv4-mapped source and bracketed IPv6 compare by value', (t) => {
  const a = via('192.0.2.1');
  stampVia(a, '::ffff:192.0.2.1', 5060);
  t.false('received' in a.params);
  const b = via('[2001:db8::1]');
  stampVia(b, '2001:db8::1', 5060);
  t.false('received' in b.params);
  const c = via('[2001:db8::1]');
  stampVia(c, '2001:db8::2', 5060);
  t.is(c.params['received'], '2001:db8::2');
});
