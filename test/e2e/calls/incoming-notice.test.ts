// SPEC §3.12 incoming-call e-mail notices through the real server and a real SMTP server:
// which calls are mailed (callers all or listed × calls all or unanswered; a withheld caller
// never matches a list), what the notice says (time, caller or the reason there is none,
// ring duration, outcome) and who gets it (only addresses with send: true). Absence is read
// from the mail queue once a later, matching call's notice has arrived: the earlier call
// ended first, so its notice would have been queued before.
import test, { type ExecutionContext } from 'ava';
import {
  CallLab,
  extraHeaders,
  succeeded,
  type IncomingCallNoticeSpec,
  type NumberSpec,
  type TracedSipp,
} from '../../helpers/calls.ts';
import { MailSink, type ReceivedMail } from '../../helpers/smtp.ts';
import { mailEnv, mailQueue } from '../../helpers/voicemail.ts';

const listed = '0312000001';
const unlisted = '0312000009';
const alice = '0355550001';
const bob = '0355550002';
const to = 'alice@example.test';
const muted = 'alice.muted@example.test';

async function noticeLab(
  t: ExecutionContext,
  notice: Omit<IncomingCallNoticeSpec, 'enabled' | 'addresses'>,
  extra: Partial<NumberSpec> = {},
): Promise<{ lab: CallLab; sink: MailSink; port: number }> {
  const sink = await MailSink.start();
  t.teardown(() => sink.close());
  const lab = await CallLab.start({
    lines: [
      {
        numbers: [
          {
            number: alice,
            subscriptions: ['incoming_call_notice'],
            incomingCallNotice: {
              enabled: true,
              addresses: [
                { address: to, send: true },
                { address: muted, send: false },
              ],
              ...notice,
            },
            ...extra,
          },
          { number: bob },
        ],
      },
    ],
    env: mailEnv(sink.port),
  });
  t.teardown(() => lab.dispose());
  // One binding for every call of the test: a phone on a new port each time would leave the
  // earlier, silent contacts to be forked to as well.
  return { lab, sink, port: await lab.register(alice) };
}

function fields(mail: ReceivedMail): Map<string, string> {
  return new Map(
    mail.text
      .split(/\r?\n/)
      .map((line) => /^([^:]+):\s*(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [(m[1] ?? '').trim().toLowerCase(), (m[2] ?? '').trim()]),
  );
}

/** Calls and how each should end up for alice. */
type Outcome = 'answered' | 'no answer' | 'busy' | 'forwarded';

/** A trunk call from `caller` to alice that ends `outcome`; `withheld`: Privacy: id. */
async function call(
  t: ExecutionContext,
  { lab, port }: { lab: CallLab; port: number },
  caller: string,
  outcome: Exclude<Outcome, 'forwarded'>,
  options: { withheld?: boolean; ringMs?: number } = {},
): Promise<void> {
  const phoneScenario = { answered: 'phone-answer', 'no answer': 'phone-ring', busy: 'phone-busy' }[
    outcome
  ];
  const phone = await lab.answerOn(port, alice, phoneScenario);
  let run: TracedSipp;
  if (options.withheld) {
    if (outcome !== 'answered') throw new Error('withheld callers are answered here');
    run = await lab.trunkCall('caller-custom', {
      caller,
      callee: alice,
      vars: {
        from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
        ...extraHeaders(
          `P-Asserted-Identity: <sip:${caller}@carrier.example;user=phone>`,
          'Privacy: id',
        ),
      },
    });
  } else {
    const scenario = {
      answered: 'caller',
      'no answer': 'caller-cancel-after',
      busy: 'caller-refused',
    }[outcome];
    run = await lab.trunkCall(scenario, {
      caller,
      callee: alice,
      ...(outcome === 'no answer' ? { talkMs: options.ringMs ?? 2000 } : {}),
    });
  }
  await succeeded(t, run, phone);
}

/** Waits for the next notice to `to` beyond the `seen` already read. */
async function nextNotice(sink: MailSink, seen: number): Promise<ReceivedMail> {
  const mails = await sink.waitFor((m) => m.envelopeTo.includes(to), { count: seen + 1 });
  return mails[seen] as ReceivedMail;
}

function incomingRows(lab: CallLab) {
  return mailQueue(lab).filter((r) => r.kind === 'incoming_call');
}

test('all callers, all calls: answered and withheld calls are mailed, only to send: true', async (t) => {
  t.timeout(90_000);
  const setup = await noticeLab(t, { callers: 'all', calls: 'all' });
  const { lab, sink } = setup;
  const started = Date.now();
  await call(t, setup, listed, 'answered');
  const first = await nextNotice(sink, 0);
  const f = fields(first);
  t.is(f.get('caller'), listed);
  t.is(f.get('called number'), alice);
  t.is(f.get('outcome'), 'answered');
  t.regex(f.get('rang for') ?? '', /^\d+ seconds?$/);
  t.true(Number(/^(\d+)/.exec(f.get('rang for') ?? '')?.[1]) <= 2, `rang for ${f.get('rang for')}`);
  const time = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2})/.exec(f.get('time') ?? '');
  t.truthy(time, `time ${f.get('time')}`);
  if (time) {
    const [, y, mo, d, h, mi] = time.map(Number) as number[];
    const shown = Date.UTC(y as number, (mo as number) - 1, d, (h as number) - 9, mi);
    t.true(Math.abs(shown - started) < 120_000, `time ${f.get('time')} (Asia/Tokyo)`);
  }

  await call(t, setup, listed, 'answered', { withheld: true });
  const second = await nextNotice(sink, 1);
  t.is(fields(second).get('caller'), 'withheld');
  t.false(second.text.includes(listed), 'the withheld number is in the mail');
  t.deepEqual(sink.to(muted), [], 'an address with send: false got mail');
  t.true(incomingRows(lab).every((r) => !r.recipients.includes(muted)));
});

test('all callers, unanswered calls: an answered call is not mailed; no answer and busy are, with their ring time', async (t) => {
  t.timeout(120_000);
  const setup = await noticeLab(t, { callers: 'all', calls: 'unanswered' });
  const { lab, sink } = setup;
  await call(t, setup, listed, 'answered');
  await call(t, setup, unlisted, 'no answer', { ringMs: 3000 });
  const noAnswer = fields(await nextNotice(sink, 0));
  t.is(noAnswer.get('caller'), unlisted);
  t.is(noAnswer.get('outcome'), 'no answer');
  const rang = Number(/^(\d+)/.exec(noAnswer.get('rang for') ?? '')?.[1]);
  t.true(
    rang >= 2 && rang <= 5,
    `rang for ${noAnswer.get('rang for')} (the caller gave up after 3 s)`,
  );
  // The answered call ended before the unanswered one began: its notice would be first.
  t.is(incomingRows(lab).length, 1, 'the answered call was queued');

  await call(t, setup, listed, 'busy');
  const busy = fields(await nextNotice(sink, 1));
  t.is(busy.get('caller'), listed);
  t.is(busy.get('outcome'), 'busy');
  t.is(incomingRows(lab).length, 2);
});

test('all callers, unanswered calls: a forwarded call is mailed as forwarded', async (t) => {
  t.timeout(60_000);
  const setup = await noticeLab(
    t,
    { callers: 'all', calls: 'unanswered' },
    { forwarding: { enabled: true, when: 'unconditional', slots: [bob], target: 1 } },
  );
  const { lab, sink } = setup;
  const bobPhone = await lab.phone(bob, 'phone-answer');
  const caller = await lab.trunkCall('caller', { caller: listed, callee: alice });
  await succeeded(t, caller, bobPhone);
  const f = fields(await nextNotice(sink, 0));
  t.is(f.get('outcome'), 'forwarded');
  t.is(f.get('caller'), listed);
});

test('listed callers, all calls: unlisted and withheld (even with a listed number asserted) are not mailed; listed is', async (t) => {
  t.timeout(90_000);
  const setup = await noticeLab(t, { callers: { list: [listed] }, calls: 'all' });
  const { lab, sink } = setup;
  await call(t, setup, unlisted, 'answered');
  await call(t, setup, listed, 'answered', { withheld: true });
  await call(t, setup, listed, 'answered');
  const mail = await nextNotice(sink, 0);
  t.is(fields(mail).get('caller'), listed);
  t.is(fields(mail).get('outcome'), 'answered');
  t.is(incomingRows(lab).length, 1, 'an unlisted or withheld call was queued');
  t.is(sink.to(to).length, 1);
});

test('listed callers, unanswered calls: only a listed caller who is not answered is mailed', async (t) => {
  t.timeout(120_000);
  const setup = await noticeLab(t, { callers: { list: [listed] }, calls: 'unanswered' });
  const { lab, sink } = setup;
  await call(t, setup, listed, 'answered');
  await call(t, setup, unlisted, 'busy');
  await call(t, setup, listed, 'no answer', { ringMs: 1000 });
  const mail = fields(await nextNotice(sink, 0));
  t.is(mail.get('caller'), listed);
  t.is(mail.get('outcome'), 'no answer');
  t.is(incomingRows(lab).length, 1, 'an answered or unlisted call was queued');
});
