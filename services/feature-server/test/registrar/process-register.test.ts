import test from 'ava';
import type { Binding } from '@ipvoice/state';
import {
  processRegister,
  type RegisterRequest,
  type RequestedContact,
} from '../../src/registrar/process-register.ts';

const now = Date.UTC(2026, 10, 23, 1, 0, 0);
const ctx = {
  now,
  serverId: 'fs1',
  policy: { minExpires: 60, maxExpires: 3600, defaultExpires: 1800, maxContacts: 3 },
};
const flow = {
  protocol: 'UDP',
  remoteAddress: '198.51.100.7',
  remotePort: 40000,
  localAddress: '127.0.0.1',
  localPort: 5060,
};

function contact(uri: string, extra: Partial<RequestedContact> = {}): RequestedContact {
  return { uri, sameAs: (other) => other === uri, ...extra };
}

function request(extra: Partial<RegisterRequest> = {}): RegisterRequest {
  return {
    aor: '0312345678',
    contacts: [contact('sip:a@198.51.100.7:5060')],
    wildcard: false,
    callId: 'call-1',
    cseq: 2,
    path: [],
    flow,
    ...extra,
  };
}

function binding(uri: string, extra: Partial<Binding> = {}): Binding {
  return {
    aor: '0312345678',
    bindingId: uri,
    contact: uri,
    expiresAt: now + 600_000,
    callId: 'call-1',
    cseq: 1,
    path: [],
    flow,
    serverId: 'fs1',
    registeredAt: now - 1000,
    ...extra,
  };
}

test('a new contact without expires gets the default interval', (t) => {
  const out = processRegister(request(), [], ctx);
  if (out.kind !== 'update') return t.fail(out.reason);
  t.is(out.put.length, 1);
  t.is(out.put[0]?.expiresAt, now + 1800_000);
  t.deepEqual(out.put[0]?.flow, flow);
});

test('the expires parameter wins over the Expires header field', (t) => {
  const out = processRegister(
    request({ expires: 900, contacts: [contact('sip:a@h', { expires: 120 })] }),
    [],
    ctx,
  );
  if (out.kind !== 'update') return t.fail(out.reason);
  t.is(out.put[0]?.expiresAt, now + 120_000);
});

test('the Expires header field applies when the contact has no parameter', (t) => {
  const out = processRegister(request({ expires: 900 }), [], ctx);
  if (out.kind !== 'update') return t.fail(out.reason);
  t.is(out.put[0]?.expiresAt, now + 900_000);
});

test('an interval above the maximum is shortened to it', (t) => {
  const out = processRegister(request({ expires: 86400 }), [], ctx);
  if (out.kind !== 'update') return t.fail(out.reason);
  t.is(out.put[0]?.expiresAt, now + 3600_000);
});

test('an interval below the minimum is refused with 423 and Min-Expires', (t) => {
  const out = processRegister(request({ expires: 30 }), [], ctx);
  t.like(out, { kind: 'reject', status: 423, minExpires: 60 });
});

test('expires 0 removes the matching binding only', (t) => {
  const existing = [binding('sip:a@198.51.100.7:5060'), binding('sip:b@h')];
  const out = processRegister(request({ expires: 0, cseq: 5 }), existing, ctx);
  if (out.kind !== 'update') return t.fail(out.reason);
  t.deepEqual(out.remove, ['sip:a@198.51.100.7:5060']);
  t.deepEqual(
    out.current.map((b) => b.contact),
    ['sip:b@h'],
  );
});

test('a wildcard with Expires 0 removes every binding', (t) => {
  const existing = [
    binding('sip:a@h', { callId: 'other' }),
    binding('sip:b@h', { callId: 'other' }),
  ];
  const out = processRegister(request({ wildcard: true, contacts: [], expires: 0 }), existing, ctx);
  if (out.kind !== 'update') return t.fail(out.reason);
  t.deepEqual(out.remove.sort(), ['sip:a@h', 'sip:b@h']);
  t.deepEqual(out.current, []);
});

test('a wildcard without Expires 0 is a bad request', (t) => {
  t.like(processRegister(request({ wildcard: true, contacts: [], expires: 60 }), [], ctx), {
    kind: 'reject',
    status: 400,
  });
  t.like(processRegister(request({ wildcard: true, contacts: [], expires: undefined }), [], ctx), {
    kind: 'reject',
    status: 400,
  });
});

test('a wildcard with other contacts is a bad request', (t) => {
  t.like(processRegister(request({ wildcard: true, expires: 0 }), [], ctx), {
    kind: 'reject',
    status: 400,
  });
});

test('the same Call-ID with a CSeq not higher aborts the update', (t) => {
  const existing = [binding('sip:a@198.51.100.7:5060', { cseq: 7 })];
  t.like(processRegister(request({ cseq: 7 }), existing, ctx), { kind: 'reject', status: 500 });
  t.like(processRegister(request({ cseq: 3 }), existing, ctx), { kind: 'reject', status: 500 });
});

test('a different Call-ID replaces the binding whatever its CSeq', (t) => {
  const existing = [binding('sip:a@198.51.100.7:5060', { cseq: 90, callId: 'old' })];
  const out = processRegister(request({ cseq: 1 }), existing, ctx);
  if (out.kind !== 'update') return t.fail(out.reason);
  t.is(out.put[0]?.callId, 'call-1');
  t.is(out.put[0]?.registeredAt, now - 1000, 'a refresh keeps the first registration time');
  t.is(out.current.length, 1);
});

test('several contacts are stored together and listed with the existing ones', (t) => {
  const out = processRegister(
    request({
      contacts: [contact('sip:a@h', { q: 0.5 }), contact('sip:b@h', { q: 1 })],
    }),
    [binding('sip:c@h', { callId: 'other' })],
    ctx,
  );
  if (out.kind !== 'update') return t.fail(out.reason);
  t.deepEqual(
    out.put.map((b) => [b.contact, b.q]),
    [
      ['sip:a@h', 0.5],
      ['sip:b@h', 1],
    ],
  );
  t.deepEqual(out.current.map((b) => b.contact).sort(), ['sip:a@h', 'sip:b@h', 'sip:c@h']);
});

test('a q-value outside 0..1 is a bad request', (t) => {
  t.like(processRegister(request({ contacts: [contact('sip:a@h', { q: 1.5 })] }), [], ctx), {
    kind: 'reject',
    status: 400,
  });
});

test('more contacts than allowed are refused', (t) => {
  const existing = [binding('sip:x@h', { callId: 'o' }), binding('sip:y@h', { callId: 'o' })];
  const out = processRegister(
    request({ contacts: [contact('sip:a@h'), contact('sip:b@h')] }),
    existing,
    ctx,
  );
  t.like(out, { kind: 'reject', status: 403 });
});

test('expired bindings are neither matched nor listed', (t) => {
  const existing = [binding('sip:a@198.51.100.7:5060', { cseq: 9, expiresAt: now - 1 })];
  const out = processRegister(request({ cseq: 2 }), existing, ctx);
  if (out.kind !== 'update') return t.fail(out.reason);
  t.is(out.current.length, 1);
  t.is(out.current[0]?.cseq, 2);
});

test('an RFC 5626 instance and reg-id identify the binding even when the contact changes', (t) => {
  const existing = [
    binding('<urn:uuid:1>;reg-id=1', {
      contact: 'sip:a@10.0.0.1:5060',
      instanceId: '<urn:uuid:1>',
      regId: 1,
      callId: 'o',
    }),
  ];
  const out = processRegister(
    request({
      contacts: [contact('sip:a@10.0.0.2:5062', { instanceId: '<urn:uuid:1>', regId: 1 })],
    }),
    existing,
    ctx,
  );
  if (out.kind !== 'update') return t.fail(out.reason);
  t.is(out.current.length, 1);
  t.is(out.current[0]?.contact, 'sip:a@10.0.0.2:5062');
});

test('the Path and flow of the request are kept with the binding', (t) => {
  const path = ['<sip:edge.example.net;lr>'];
  const tcp = { ...flow, protocol: 'TCP', connectionId: 'c42' };
  const out = processRegister(request({ path, flow: tcp }), [], ctx);
  if (out.kind !== 'update') return t.fail(out.reason);
  t.deepEqual(out.put[0]?.path, path);
  t.is(out.put[0]?.flow.connectionId, 'c42');
});
