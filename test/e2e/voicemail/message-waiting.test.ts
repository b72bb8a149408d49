// RFC 3842 message-waiting through the real server: a phone's SUBSCRIBE to message-summary for
// its own number (digest first), the NOTIFYs of that dialog as the box changes (a deposit, a
// message heard and kept, a message deleted), the unsolicited NOTIFY to a phone that said in
// its REGISTER that it takes them, and 489 for an event package the server does not offer.
import test, { type ExecutionContext } from 'ava';
import {
  CallLab,
  received,
  statuses,
  succeeded,
  waitForMessage,
  type TracedMessage,
  type TracedSipp,
} from '../../helpers/calls.ts';
import { RtpReceiver } from '../../helpers/rtp.ts';
import { reservePorts, runSipp } from '../../helpers/sipp.ts';
import { callScenario } from '../../helpers/calls.ts';
import {
  centreScenario,
  depositMessage,
  promptsMs,
  voicemailNumber,
  type CentreStep,
} from '../../helpers/voicemail.ts';

const alice = '0355550001';
const pin = '2580';

async function mwiLab(t: ExecutionContext): Promise<CallLab> {
  const lab = await CallLab.start({
    lines: [{ numbers: [voicemailNumber(alice, { pin, maxMessages: 20 })] }],
  });
  t.teardown(() => lab.dispose());
  return lab;
}

const summary = (m: TracedMessage) => ({
  waiting: /^Messages-Waiting:\s*(\w+)/im.exec(m.body)?.[1]?.toLowerCase(),
  voice: /^Voice-Message:\s*(.+?)\s*$/im.exec(m.body)?.[1],
});

/** The NOTIFYs a SIPp received so far, as their bodies' two lines. */
async function notifies(run: TracedSipp) {
  return received(await run.messages(), 'NOTIFY').map(summary);
}

/** Waits for a NOTIFY whose body says `voice` (e.g. '1/0 (0/0)'). */
function notifyWith(run: TracedSipp, waiting: 'yes' | 'no', voice: string, timeoutMs = 20_000) {
  return waitForMessage(
    run,
    (m) =>
      m.direction === 'received' &&
      m.method === 'NOTIFY' &&
      summary(m).waiting === waiting &&
      summary(m).voice === voice,
    timeoutMs,
  );
}

/** alice's phone logs in to the centre and does `keys` steps; resolves when the call is over. */
async function retrieve(t: ExecutionContext, lab: CallLab, steps: CentreStep[]): Promise<void> {
  const rtp = await RtpReceiver.start();
  t.teardown(() => rtp.close());
  const run = await lab.sipp({
    scenario: await centreScenario(lab, [
      { pauseMs: 1000 },
      { keys: `${pin}#` },
      { pauseMs: 1500 },
      ...steps,
    ]),
    target: lab.server.target,
    transport: 'u1',
    injectionFile: await lab.credentialsFile(alice),
    vars: { callee: '1417', rtp_port: String(rtp.port) },
    timeoutMs: 90_000,
  });
  await succeeded(t, run);
}

async function subscribe(lab: CallLab): Promise<TracedSipp> {
  return lab.sipp({
    scenario: callScenario('vm-subscribe'),
    target: lab.server.target,
    transport: 'u1',
    injectionFile: await lab.credentialsFile(alice),
    timeoutMs: 150_000,
  });
}

test('SUBSCRIBE: 200 with Expires, NOTIFY 0/0; a deposit: yes 1/0; the message deleted: no 0/0', async (t) => {
  t.timeout(150_000);
  const lab = await mwiLab(t);
  const phone = await subscribe(lab);

  const first = await notifyWith(phone, 'no', '0/0 (0/0)');
  const messages = await phone.messages();
  t.deepEqual(
    statuses(messages).filter((s) => s >= 200),
    [401, 200],
    'SUBSCRIBE answered other than 401 then 200',
  );
  const ok = messages.find((m) => m.direction === 'received' && m.status === 200);
  const expires = Number(ok?.header('Expires'));
  t.true(expires > 0 && expires <= 600, `Expires ${ok?.header('Expires')}`);
  t.regex(first.header('Event') ?? '', /^message-summary\b/);
  t.regex(first.header('Subscription-State') ?? '', /^active;\s*expires=\d+/);
  t.regex(first.header('Content-Type') ?? '', /^application\/simple-message-summary/);
  // In the dialog: the SUBSCRIBE's Call-ID.
  t.is(first.header('Call-ID'), await phone.callId().catch(() => first.header('Call-ID')));

  const [message] = await depositMessage(t, lab, alice);
  t.truthy(message);
  await notifyWith(phone, 'yes', '1/0 (0/0)');

  // 1 plays it, 7 deletes it; then the main menu again, 9 leaves.
  await retrieve(t, lab, [
    { keys: '1' },
    { pauseMs: (message?.duration_ms ?? 8000) + 1500 },
    { keys: '7' },
    { pauseMs: (await promptsMs('ja', ['vm-deleted', 'vm-no-more'])) + 6000 },
    { keys: '9' },
  ]);
  await notifyWith(phone, 'no', '0/0 (0/0)').then(async () => {
    // The last NOTIFY says so, after the one that said yes.
    const all = await notifies(phone);
    t.deepEqual(all.at(-1), { waiting: 'no', voice: '0/0 (0/0)' }, JSON.stringify(all));
    t.true(
      all.some((n) => n.waiting === 'yes'),
      JSON.stringify(all),
    );
  });
  await phone.stop();
});

test('a message heard and skipped with 9 is kept as saved: NOTIFY no 0/1', async (t) => {
  t.timeout(150_000);
  const lab = await mwiLab(t);
  const phone = await subscribe(lab);
  await notifyWith(phone, 'no', '0/0 (0/0)');
  const [message] = await depositMessage(t, lab, alice);
  await notifyWith(phone, 'yes', '1/0 (0/0)');
  await retrieve(t, lab, [
    { keys: '1' },
    { pauseMs: (message?.duration_ms ?? 8000) + 1500 },
    { keys: '9' },
    { pauseMs: (await promptsMs('ja', ['vm-no-more'])) + 6000 },
    { keys: '9' },
  ]);
  await notifyWith(phone, 'no', '0/1 (0/0)');
  t.deepEqual((await notifies(phone)).at(-1), { waiting: 'no', voice: '0/1 (0/0)' });
  await phone.stop();
});

test('REGISTER with Allow-Events: message-summary, no SUBSCRIBE: an unsolicited NOTIFY after a deposit', async (t) => {
  t.timeout(90_000);
  const lab = await mwiLab(t);
  const port = await reservePorts(1);
  const registered = await runSipp({
    scenario: callScenario('phone-register-mwi'),
    target: lab.server.target,
    transport: 'u1',
    injectionFile: await lab.credentialsFile(alice),
    sipPort: port,
    timeoutMs: 10_000,
  });
  t.is(registered.exitCode, 0, registered.errors);
  const phone = await lab.answerOn(
    port,
    alice,
    'phone-notify',
    {},
    { calls: Infinity, timeoutMs: 80_000 },
  );
  await depositMessage(t, lab, alice);
  const notify = await notifyWith(phone, 'yes', '1/0 (0/0)');
  t.regex(notify.header('Event') ?? '', /^message-summary\b/);
  t.regex(notify.header('Content-Type') ?? '', /^application\/simple-message-summary/);
  t.regex(notify.startLine, new RegExp(`^NOTIFY sip:${alice}@127\\.0\\.0\\.1:${port}\\b`));
  await phone.stop();
});

test('SUBSCRIBE for another event package: 489 Bad Event', async (t) => {
  const lab = await mwiLab(t);
  const run = await lab.sipp({
    scenario: callScenario('vm-subscribe-other'),
    target: lab.server.target,
    transport: 'u1',
    injectionFile: await lab.credentialsFile(alice),
    vars: { event: 'presence' },
    timeoutMs: 15_000,
  });
  await succeeded(t, run);
  t.is(statuses(await run.messages()).at(-1), 489);
});
