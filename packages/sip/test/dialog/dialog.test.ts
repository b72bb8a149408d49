import test from 'ava';
import { Dialog, type DialogCreateResult } from '../../src/dialog/dialog.ts';
import { addr, invite, peerRequest, responseTo, uri, uriText } from './messages.ts';

function ok(result: DialogCreateResult): Dialog {
  if (!result.ok) throw new Error(result.reason);
  return result.dialog;
}

const proxies = ['sip:p1.example.com;lr', 'sip:p2.example.com;lr'];

/** Alice's dialog after Bob answered an INVITE that crossed the given proxies. */
function uacDialog(recordRoute: string[] = [], status = 200): Dialog {
  const req = invite({ recordRoute });
  return ok(
    Dialog.fromUacResponse(
      req,
      responseTo(req, status, { toTag: 'a6c85cf', contact: 'sip:bob@192.0.2.4' }),
    ),
  );
}

/** Bob's dialog (the UAS) for the same INVITE. */
function uasDialog(recordRoute: string[] = [], status = 200): Dialog {
  const req = invite({ recordRoute });
  return ok(
    Dialog.fromUasResponse(
      req,
      responseTo(req, status, { toTag: 'a6c85cf', contact: 'sip:bob@192.0.2.4' }),
    ),
  );
}

// --- creation (RFC 3261 §12.1) ---

test('a UAS dialog takes its state from the request (§12.1.1)', (t) => {
  const d = uasDialog(proxies, 180);
  t.is(d.role, 'uas');
  t.is(d.state, 'early');
  t.deepEqual(d.id, {
    callId: 'a84b4c76e66710@pc33.atlanta.example.com',
    localTag: 'a6c85cf',
    remoteTag: '1928301774',
  });
  t.deepEqual(d.routeSet.map(uriText), proxies, 'Record-Route kept in order');
  t.deepEqual(d.remoteTarget, uri('sip:alice@pc33.atlanta.example.com'));
  t.is(d.remoteSeq, 314159);
  t.is(d.localSeq, undefined);
  t.deepEqual(d.remote.uri, uri('sip:alice@atlanta.example.com'));
  t.deepEqual(d.local.uri, uri('sip:bob@biloxi.example.com'));
  t.false('tag' in d.local.params);
});

test('a UAC dialog takes its state from the response (§12.1.2)', (t) => {
  const d = uacDialog(proxies);
  t.is(d.role, 'uac');
  t.is(d.state, 'confirmed');
  t.deepEqual(d.id, {
    callId: 'a84b4c76e66710@pc33.atlanta.example.com',
    localTag: '1928301774',
    remoteTag: 'a6c85cf',
  });
  t.deepEqual(d.routeSet.map(uriText), [...proxies].reverse(), 'Record-Route reversed');
  t.deepEqual(d.remoteTarget, uri('sip:bob@192.0.2.4'));
  t.is(d.localSeq, 314159);
  t.is(d.remoteSeq, undefined);
  t.deepEqual(d.remote.uri, uri('sip:bob@biloxi.example.com'));
});

const secureCases: Array<[string, string, boolean, boolean]> = [
  ['a SIPS Request-URI over TLS', 'sips:bob@biloxi.example.com', true, true],
  ['a SIPS Request-URI over TCP', 'sips:bob@biloxi.example.com', false, false],
  ['a SIP Request-URI over TLS', 'sip:bob@biloxi.example.com', true, false],
];
for (const [name, requestUri, tls, secure] of secureCases) {
  test(`the secure flag for ${name} is ${secure}`, (t) => {
    const req = invite({ uri: requestUri });
    const res = responseTo(req, 200, { toTag: 'x', contact: 'sips:bob@192.0.2.4' });
    t.is(ok(Dialog.fromUasResponse(req, res, { tls })).secure, secure);
    t.is(ok(Dialog.fromUacResponse(req, res, { tls })).secure, secure);
  });
}

const refusedCreation: Array<[string, 'uas' | 'uac', () => DialogCreateResult]> = [
  [
    'a 100 Trying',
    'uac',
    () =>
      Dialog.fromUacResponse(
        invite(),
        responseTo(invite(), 100, { toTag: 'x', contact: 'sip:b@h' }),
      ),
  ],
  [
    'a 486 Busy',
    'uas',
    () => Dialog.fromUasResponse(invite(), responseTo(invite(), 486, { toTag: 'x' })),
  ],
  [
    'a UAS response without To tag',
    'uas',
    () => Dialog.fromUasResponse(invite(), responseTo(invite(), 200, { contact: 'sip:b@h' })),
  ],
  [
    'a provisional response without To tag',
    'uac',
    () => Dialog.fromUacResponse(invite(), responseTo(invite(), 180, { contact: 'sip:b@h' })),
  ],
  [
    'a 2xx without Contact',
    'uac',
    () => Dialog.fromUacResponse(invite(), responseTo(invite(), 200, { toTag: 'x' })),
  ],
  [
    'a request without Contact',
    'uas',
    () =>
      Dialog.fromUasResponse(
        { ...invite(), contact: [] },
        responseTo(invite(), 200, { toTag: 'x' }),
      ),
  ],
];
for (const [name, side, create] of refusedCreation) {
  test(`no ${side} dialog from ${name}`, (t) => {
    t.false(create().ok);
  });
}

test('a 2xx without To tag from an RFC 2543 peer gives an empty remote tag', (t) => {
  const req = invite();
  const d = ok(Dialog.fromUacResponse(req, responseTo(req, 200, { contact: 'sip:bob@192.0.2.4' })));
  t.is(d.id.remoteTag, '');
  t.false('tag' in d.createRequest('BYE').to.params);
});

test('a provisional response without Contact aims the early dialog at the Request-URI', (t) => {
  const req = invite();
  const d = ok(Dialog.fromUacResponse(req, responseTo(req, 180, { toTag: 'x' })));
  t.deepEqual(d.remoteTarget, req.uri);
});

// --- requests within the dialog (§12.2.1.1) ---

test('without a route set the request goes to the remote target', (t) => {
  const d = uacDialog();
  const bye = d.createRequest('BYE');
  t.deepEqual(bye.uri, uri('sip:bob@192.0.2.4'));
  t.deepEqual(bye.route, []);
  t.deepEqual(bye.from, {
    displayName: 'Alice',
    uri: uri('sip:alice@atlanta.example.com'),
    params: { tag: '1928301774' },
  });
  t.deepEqual(bye.to, {
    displayName: 'Bob',
    uri: uri('sip:bob@biloxi.example.com'),
    params: { tag: 'a6c85cf' },
  });
  t.is(bye.callId, 'a84b4c76e66710@pc33.atlanta.example.com');
  t.deepEqual(bye.cseq, { seq: 314160, method: 'BYE' });
  t.is(bye.maxForwards, 70);
  t.deepEqual(bye.via, []);
});

test('with a loose route set the Request-URI is the remote target and Route the whole set', (t) => {
  const d = uacDialog(proxies);
  const bye = d.createRequest('BYE');
  t.deepEqual(bye.uri, uri('sip:bob@192.0.2.4'));
  t.deepEqual(bye.route.map(uriText), ['sip:p2.example.com;lr', 'sip:p1.example.com;lr']);
});

test('with a strict first route the Request-URI is that route and the remote target goes last', (t) => {
  const d = uasDialog([
    'sip:strict.example.com;method=INVITE;maddr=192.0.2.9',
    'sip:p2.example.com;lr',
  ]);
  const bye = d.createRequest('BYE');
  t.deepEqual(bye.uri, uri('sip:strict.example.com;maddr=192.0.2.9'), 'method parameter stripped');
  t.deepEqual(bye.route.map(uriText), [
    'sip:p2.example.com;lr',
    'sip:alice@pc33.atlanta.example.com',
  ]);
});

test('a UAS dialog starts its own CSeq and counts up by one', (t) => {
  const d = uasDialog();
  t.is(d.createRequest('INFO').cseq.seq, 1);
  t.is(d.createRequest('BYE').cseq.seq, 2);
  t.is(d.localSeq, 2);
});

test('ACK and CANCEL keep the CSeq of the INVITE', (t) => {
  const d = uacDialog();
  t.deepEqual(d.createRequest('ACK').cseq, { seq: 314159, method: 'ACK' });
  const reinvite = d.createRequest('INVITE');
  t.is(reinvite.cseq.seq, 314160);
  t.deepEqual(d.createRequest('CANCEL').cseq, { seq: 314160, method: 'CANCEL' });
  t.deepEqual(d.createRequest('ACK').cseq, { seq: 314160, method: 'ACK' });
  t.is(d.createRequest('BYE').cseq.seq, 314161);
  t.deepEqual(d.createRequest('ACK', { cseq: 7 }).cseq, { seq: 7, method: 'ACK' });
});

test('target refresh requests carry our Contact and others do not', (t) => {
  const d = uacDialog();
  t.deepEqual(d.createRequest('INVITE').contact, [addr('sip:alice@pc33.atlanta.example.com')]);
  t.deepEqual(d.createRequest('UPDATE').contact, [addr('sip:alice@pc33.atlanta.example.com')]);
  t.deepEqual(d.createRequest('BYE').contact, []);
  t.deepEqual(d.createRequest('BYE', { contact: addr('sip:alice@198.51.100.1') }).contact, [
    addr('sip:alice@198.51.100.1'),
  ]);
});

test('body and extra headers are passed through', (t) => {
  const d = uacDialog();
  const body = Buffer.from('v=0\r\n');
  const req = d.createRequest('INVITE', {
    body,
    headers: [{ name: 'Content-Type', value: 'application/sdp' }],
  });
  t.is(req.body, body);
  t.deepEqual(req.headers, [{ name: 'Content-Type', value: 'application/sdp' }]);
});

// --- requests from the peer (§12.2.2) ---

const cseqCases: Array<[string, string, number, boolean]> = [
  ['a higher CSeq is accepted', 'INFO', 314160, true],
  [
    'the same CSeq is accepted (a retransmission reaches the transaction first)',
    'INFO',
    314159,
    true,
  ],
  ['a lower CSeq is refused with 500', 'INFO', 314158, false],
  ['an ACK with a lower CSeq is not refused', 'ACK', 314100, true],
];
for (const [name, method, seq, accepted] of cseqCases) {
  test(name, (t) => {
    const d = uasDialog();
    const result = d.receiveRequest(
      peerRequest(method, seq, { localTag: 'a6c85cf', remoteTag: '1928301774' }),
    );
    t.is(result.ok, accepted);
    if (!result.ok) t.deepEqual(result, { ok: false, status: 500, reason: 'CSeq Out of Order' });
  });
}

test('an accepted request moves the remote CSeq so a later lower one is refused', (t) => {
  const d = uacDialog();
  t.true(
    d.receiveRequest(peerRequest('INFO', 10)).ok,
    'any first CSeq when the remote one is empty',
  );
  t.is(d.remoteSeq, 10);
  t.false(d.receiveRequest(peerRequest('INFO', 9)).ok);
  t.is(d.remoteSeq, 10);
});

const refreshCases: Array<[string, string, string | undefined, boolean]> = [
  ['a re-INVITE with Contact refreshes the remote target', 'INVITE', 'sip:bob@203.0.113.7', true],
  ['an UPDATE with Contact refreshes the remote target', 'UPDATE', 'sip:bob@203.0.113.7', true],
  ['a re-INVITE without Contact keeps the remote target', 'INVITE', undefined, false],
  ['an INFO with Contact keeps the remote target', 'INFO', 'sip:bob@203.0.113.7', false],
];
for (const [name, method, contact, refreshed] of refreshCases) {
  test(name, (t) => {
    const d = uacDialog();
    const result = d.receiveRequest(peerRequest(method, 5, contact ? { contact } : {}));
    t.deepEqual(result, { ok: true, targetRefreshed: refreshed });
    t.deepEqual(d.remoteTarget, uri(refreshed && contact ? contact : 'sip:bob@192.0.2.4'));
  });
}

test('a BYE from the peer ends the dialog', (t) => {
  const d = uacDialog();
  d.receiveRequest(peerRequest('BYE', 1));
  t.is(d.state, 'terminated');
});

// --- responses (§12.2.1.2, §13.2.2.4) ---

test('a 2xx confirms an early UAC dialog and recomputes route set and target', (t) => {
  const req = invite({ recordRoute: proxies });
  const d = ok(
    Dialog.fromUacResponse(
      req,
      responseTo(req, 180, { toTag: 'b1', contact: 'sip:bob@192.0.2.4' }),
    ),
  );
  t.is(d.state, 'early');
  d.receiveResponse(
    req,
    responseTo(req, 200, {
      toTag: 'b1',
      contact: 'sip:bob@192.0.2.5',
      recordRoute: ['sip:p1.example.com;lr'],
    }),
  );
  t.is(d.state, 'confirmed');
  t.deepEqual(d.routeSet.map(uriText), ['sip:p1.example.com;lr']);
  t.deepEqual(d.remoteTarget, uri('sip:bob@192.0.2.5'));
});

test('a failure response ends an early UAC dialog', (t) => {
  const req = invite();
  const d = ok(
    Dialog.fromUacResponse(
      req,
      responseTo(req, 183, { toTag: 'b1', contact: 'sip:bob@192.0.2.4' }),
    ),
  );
  d.receiveResponse(req, responseTo(req, 486, { toTag: 'b1' }));
  t.is(d.state, 'terminated');
});

test('a 2xx to a re-INVITE refreshes the remote target, a 2xx to INFO does not', (t) => {
  const d = uacDialog();
  const info = d.createRequest('INFO');
  d.receiveResponse(
    info,
    responseTo(info, 200, { toTag: 'a6c85cf', contact: 'sip:bob@203.0.113.1' }),
  );
  t.deepEqual(d.remoteTarget, uri('sip:bob@192.0.2.4'));
  const reinvite = d.createRequest('INVITE');
  d.receiveResponse(
    reinvite,
    responseTo(reinvite, 200, { toTag: 'a6c85cf', contact: 'sip:bob@203.0.113.2' }),
  );
  t.deepEqual(d.remoteTarget, uri('sip:bob@203.0.113.2'));
  t.is(d.state, 'confirmed');
});

for (const status of [481, 408]) {
  test(`a ${status} to an in-dialog request ends the dialog`, (t) => {
    const d = uacDialog();
    const info = d.createRequest('INFO');
    d.receiveResponse(info, responseTo(info, status, { toTag: 'a6c85cf' }));
    t.is(d.state, 'terminated');
  });
}

test('a UAS dialog is confirmed by the 2xx it sends and ended by a failure', (t) => {
  const early = uasDialog([], 180);
  early.sentResponse(responseTo(invite(), 200, { toTag: 'a6c85cf' }));
  t.is(early.state, 'confirmed');
  const refused = uasDialog([], 180);
  refused.sentResponse(responseTo(invite(), 603, { toTag: 'a6c85cf' }));
  t.is(refused.state, 'terminated');
});
