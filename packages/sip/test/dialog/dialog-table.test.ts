import test from 'ava';
import { Dialog } from '../../src/dialog/dialog.ts';
import { DialogTable } from '../../src/dialog/dialog-table.ts';
import { invite, peerRequest, responseTo, uri } from './messages.ts';

test('forked provisional responses open one early dialog each', (t) => {
  const table = new DialogTable();
  const req = invite();
  const a = table.uacResponse(
    req,
    responseTo(req, 180, { toTag: 'fork-a', contact: 'sip:bob@192.0.2.10' }),
  );
  const b = table.uacResponse(
    req,
    responseTo(req, 183, { toTag: 'fork-b', contact: 'sip:bob@192.0.2.11' }),
  );
  t.truthy(a);
  t.truthy(b);
  t.not(a, b);
  t.is(table.size, 2);
  t.deepEqual(
    table
      .dialogSet(req.callId, '1928301774')
      .map((d) => d.id.remoteTag)
      .sort(),
    ['fork-a', 'fork-b'],
  );
  t.is(
    table.uacResponse(
      req,
      responseTo(req, 180, { toTag: 'fork-a', contact: 'sip:bob@192.0.2.10' }),
    ),
    a,
    'a repeated 180 finds its dialog',
  );
  t.is(table.size, 2);
});

test('the 2xx of one fork confirms only that fork', (t) => {
  const table = new DialogTable();
  const req = invite();
  const a = table.uacResponse(
    req,
    responseTo(req, 180, { toTag: 'fork-a', contact: 'sip:bob@192.0.2.10' }),
  );
  const b = table.uacResponse(
    req,
    responseTo(req, 180, { toTag: 'fork-b', contact: 'sip:bob@192.0.2.11' }),
  );
  const answered = table.uacResponse(
    req,
    responseTo(req, 200, { toTag: 'fork-b', contact: 'sip:bob@192.0.2.11' }),
  );
  t.is(answered, b);
  t.is(b?.state, 'confirmed');
  t.is(a?.state, 'early');
});

test('a 2xx from a fork never seen before opens a confirmed dialog', (t) => {
  const table = new DialogTable();
  const req = invite();
  table.uacResponse(req, responseTo(req, 180, { toTag: 'fork-a', contact: 'sip:bob@192.0.2.10' }));
  const c = table.uacResponse(
    req,
    responseTo(req, 200, { toTag: 'fork-c', contact: 'sip:bob@192.0.2.12' }),
  );
  t.is(c?.state, 'confirmed');
  t.deepEqual(c?.remoteTarget, uri('sip:bob@192.0.2.12'));
  t.is(table.size, 2);
});

test('100 Trying opens no dialog', (t) => {
  const table = new DialogTable();
  const req = invite();
  t.is(table.uacResponse(req, responseTo(req, 100)), undefined);
  t.is(table.size, 0);
});

test('a final failure ends and removes the early dialogs of the set, not confirmed ones', (t) => {
  const table = new DialogTable();
  const req = invite();
  const a = table.uacResponse(
    req,
    responseTo(req, 180, { toTag: 'fork-a', contact: 'sip:bob@192.0.2.10' }),
  );
  const b = table.uacResponse(
    req,
    responseTo(req, 200, { toTag: 'fork-b', contact: 'sip:bob@192.0.2.11' }),
  );
  table.uacResponse(req, responseTo(req, 487, { toTag: 'fork-a' }));
  t.is(a?.state, 'terminated');
  t.is(b?.state, 'confirmed');
  t.deepEqual([...table.values()], b ? [b] : []);
});

const requestMatches: Array<[string, { localTag?: string; remoteTag?: string }, boolean]> = [
  ['an incoming request with our tag in To and theirs in From is matched', {}, true],
  [
    'tags are matched without regard to case',
    { localTag: 'A6C85CF', remoteTag: '1928301774' },
    true,
  ],
  ['an unknown remote tag is not matched', { remoteTag: 'other' }, false],
  ['a request without To tag is not matched', { localTag: '' }, false],
];
for (const [name, tags, matched] of requestMatches) {
  test(name, (t) => {
    const table = new DialogTable();
    const req = invite();
    const created = Dialog.fromUasResponse(
      req,
      responseTo(req, 200, { toTag: 'a6c85cf', contact: 'sip:bob@192.0.2.4' }),
    );
    if (!created.ok) return t.fail(created.reason);
    table.add(created.dialog);
    const incoming = peerRequest('BYE', 314160, {
      localTag: tags.localTag ?? 'a6c85cf',
      remoteTag: tags.remoteTag ?? '1928301774',
    });
    t.is(table.matchRequest(incoming), matched ? created.dialog : undefined);
  });
}

test('a response is matched by our From tag and the To tag', (t) => {
  const table = new DialogTable();
  const req = invite();
  const d = table.uacResponse(
    req,
    responseTo(req, 200, { toTag: 'b', contact: 'sip:bob@192.0.2.4' }),
  );
  if (!d) return t.fail();
  const bye = d.createRequest('BYE');
  t.is(table.matchResponse(responseTo(bye, 200, { toTag: 'b' })), d);
  t.is(table.matchResponse(responseTo(bye, 200, { toTag: 'c' })), undefined);
  t.true(table.remove(d.id));
  t.is(table.matchResponse(responseTo(bye, 200, { toTag: 'b' })), undefined);
});
