import test from 'ava';
import { dispatch, type DispatchContext } from '../../src/app/dispatch.ts';
import { IncomingRequest } from '../../src/app/incoming-request.ts';
import type { Middleware } from '../../src/app/middleware.ts';
import { OutgoingResponse } from '../../src/app/outgoing-response.ts';
import { Router } from '../../src/app/router.ts';
import { SipError } from '../../src/app/sip-error.ts';
import type { Logger } from '../../src/core/logger.ts';
import type { SipRequest, SipResponse } from '../../src/message/types.ts';
import { request, udpFlow } from './fixtures.ts';

function setup(message: SipRequest = request('REGISTER')) {
  const sent: SipResponse[] = [];
  const errors: object[] = [];
  const logger: Logger = { debug() {}, info() {}, warn() {}, error: (o) => void errors.push(o) };
  const router = new Router();
  const context: DispatchContext = {
    router,
    logger,
    policy: {
      allow: ['REGISTER', 'OPTIONS', 'ACK'],
      supported: [],
      accept: {},
      isMerged: () => false,
    },
  };
  const req = new IncomingRequest(message, udpFlow);
  const res = new OutgoingResponse(message, {
    toTag: 'uas-tag',
    send: async (r) => void sent.push(r),
  });
  return { sent, errors, router, req, res, run: () => dispatch(req, res, context) };
}

test('middleware runs in registration order, method-specific ones only for their method', async (t) => {
  const { router, run } = setup();
  const order: string[] = [];
  const mark =
    (name: string): Middleware =>
    async (_req, _res, next) => {
      order.push(`${name}:in`);
      await next();
      order.push(`${name}:out`);
    };
  router.use(undefined, [mark('all')]);
  router.use('INVITE', [mark('invite-only')]);
  router.use('register', [mark('register-only')]);
  router.handle('REGISTER', [
    async (_req, res) => {
      order.push('handler');
      await res.send(200);
    },
  ]);
  await run();
  t.deepEqual(order, ['all:in', 'register-only:in', 'handler', 'register-only:out', 'all:out']);
});

test('middleware that does not call next ends the chain', async (t) => {
  const { router, run, sent } = setup();
  let reached = false;
  router.use(undefined, [async (_req, res) => res.send(403)]);
  router.handle('REGISTER', [() => void (reached = true)]);
  await run();
  t.false(reached);
  t.deepEqual(
    sent.map((r) => r.status),
    [403],
  );
});

test('locals carry what middleware found to the handler', async (t) => {
  const { router, run } = setup();
  let seen: unknown;
  router.use(undefined, [
    (req, _res, next) => {
      req.locals.auth = { username: 'u1', realm: 'r' };
      return next();
    },
  ]);
  router.handle('REGISTER', [(req) => void (seen = req.locals.auth)]);
  await run();
  t.deepEqual(seen, { username: 'u1', realm: 'r' });
});

test('a thrown SipError becomes that response, with its headers', async (t) => {
  const { router, run, sent } = setup();
  router.handle('REGISTER', [
    () => {
      throw new SipError(423, undefined, { 'Min-Expires': '60' });
    },
  ]);
  await run();
  t.is(sent.length, 1);
  t.is(sent[0]?.status, 423);
  t.is(sent[0]?.reason, 'Interval Too Brief');
  t.deepEqual(sent[0]?.headers, [{ name: 'Min-Expires', value: '60' }]);
});

test('any other exception becomes 500 and is logged', async (t) => {
  const { router, run, sent, errors } = setup();
  router.handle('REGISTER', [
    async () => {
      throw new Error('database down');
    },
  ]);
  await run();
  t.deepEqual(
    sent.map((r) => r.status),
    [500],
  );
  t.is(errors.length, 1);
});

test('an exception after the final response sends nothing more', async (t) => {
  const { router, run, sent, errors } = setup();
  router.handle('REGISTER', [
    async (_req, res) => {
      await res.send(200);
      throw new Error('late');
    },
  ]);
  await run();
  t.deepEqual(
    sent.map((r) => r.status),
    [200],
  );
  t.is(errors.length, 1);
});

test('calling next twice is reported as a handler failure', async (t) => {
  const { router, run, sent } = setup();
  router.use(undefined, [
    async (_req, _res, next) => {
      await next();
      await next();
    },
  ]);
  router.handle('REGISTER', [() => {}]);
  await run();
  t.deepEqual(
    sent.map((r) => r.status),
    [500],
  );
});

test('the validation chain answers before any middleware runs', async (t) => {
  const { router, run, sent } = setup(request('BYE'));
  let ran = false;
  router.use(undefined, [() => void (ran = true)]);
  await run();
  t.false(ran);
  t.is(sent[0]?.status, 405);
  t.deepEqual(sent[0]?.headers, [{ name: 'Allow', value: 'REGISTER, OPTIONS, ACK' }]);
});

test('an ACK that fails validation or whose handler throws gets no response', async (t) => {
  const bad = setup(request('ACK', { version: 'SIP/3.0' }));
  await bad.run();
  t.is(bad.sent.length, 0);
  const throwing = setup(request('ACK'));
  throwing.router.handle('ACK', [
    () => {
      throw new SipError(400);
    },
  ]);
  await throwing.run();
  t.is(throwing.sent.length, 0);
  t.is(throwing.errors.length, 1);
});

test('responses copy the request and tag To (RFC 3261 §8.2.6.2), provisional then final', async (t) => {
  const { router, run, sent } = setup(
    request('REGISTER', { headers: [{ name: 'Timestamp', value: '54' }] }),
  );
  router.handle('REGISTER', [
    async (_req, res) => {
      await res.send(100);
      await res.send(200, 'Fine', { headers: { Expires: '60' }, body: 'x' });
      await t.throwsAsync(res.send(200), { message: /already sent/ });
    },
  ]);
  await run();
  t.deepEqual(
    sent.map((r) => [r.status, r.reason]),
    [
      [100, 'Trying'],
      [200, 'Fine'],
    ],
  );
  const [trying, ok] = sent;
  t.is(trying?.to.params['tag'], undefined);
  t.deepEqual(trying?.headers, [{ name: 'Timestamp', value: '54' }]);
  t.is(ok?.to.params['tag'], 'uas-tag');
  t.is(ok?.callId, 'call-1@192.0.2.1');
  t.deepEqual(ok?.cseq, { seq: 1, method: 'REGISTER' });
  t.is(ok?.via[0]?.params['branch'], 'z9hG4bK-1');
  t.is(ok?.body.toString(), 'x');
});

test('typed headers cannot be set as text', async (t) => {
  const { router, run, sent, errors } = setup();
  router.handle('REGISTER', [
    (_req, res) => res.send(200, undefined, { headers: { m: '<sip:x@y>' } }),
  ]);
  await run();
  t.deepEqual(
    sent.map((r) => r.status),
    [500],
  );
  t.is(errors.length, 1);
});

test('req.get knows compact forms and typed fields', (t) => {
  const req = new IncomingRequest(
    request('REGISTER', {
      headers: [
        { name: 'k', value: 'path' },
        { name: 'Supported', value: 'outbound' },
      ],
    }),
    udpFlow,
  );
  t.is(req.get('Supported'), 'path');
  t.deepEqual(req.getAll('supported'), ['path', 'outbound']);
  t.is(req.get('i'), 'call-1@192.0.2.1');
  t.is(req.get('f'), '<sip:bob@example.com>;tag=ft');
  t.is(req.get('Via'), 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1');
  t.is(req.get('CSeq'), '1 REGISTER');
  t.false(req.has('Contact'));
});
