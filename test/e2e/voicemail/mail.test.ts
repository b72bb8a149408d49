// SPEC §3.11 e-mail notification through the real server and a real SMTP server (MailSink):
// the condition (none, on call, on recording), up to three addresses, the fields of the
// notice, the WAV attachment `YYYYMMDD_<id>.wav` (Asia/Tokyo date) with the stored samples,
// and a refused first delivery retried without touching the call.
import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import { CallLab, succeeded, type NumberSpec, type VoicemailSpec } from '../../helpers/calls.ts';
import { RtpReceiver } from '../../helpers/rtp.ts';
import { MailSink, type MailSinkOptions, type ReceivedMail } from '../../helpers/smtp.ts';
import {
  awaitMessages,
  mailEnv,
  mailQueue,
  parsePcmWav,
  pollUntil,
  promptMs,
  readPcmWav,
  tokyoDate,
  voicemailDir,
  type VoicemailMessageRow,
} from '../../helpers/voicemail.ts';

const outside = '0312000001';
const alice = '0355550001';
const bob = '0355550002';
const addresses = ['alice@example.test', 'alice.office@example.test', 'alice.mobile@example.test'];

function boxNumber(number: string, voicemail: VoicemailSpec): NumberSpec {
  return {
    number,
    subscriptions: ['voicemail'],
    voicemail,
    forwarding: { enabled: true, when: 'unconditional', slots: [null], target: 'voicemail' },
  };
}

async function mailLab(
  t: ExecutionContext,
  numbers: NumberSpec[],
  sinkOptions: MailSinkOptions = {},
): Promise<{ lab: CallLab; sink: MailSink }> {
  const sink = await MailSink.start(sinkOptions);
  t.teardown(() => sink.close());
  const lab = await CallLab.start({ lines: [{ numbers }], env: mailEnv(sink.port) });
  t.teardown(() => lab.dispose());
  return { lab, sink };
}

/** A trunk call that leaves SIPp's g711a.pcap in `callee`'s box; resolves with the message. */
async function deposit(
  t: ExecutionContext,
  lab: CallLab,
  callee: string,
  count = 1,
): Promise<VoicemailMessageRow | undefined> {
  const rtp = await RtpReceiver.start();
  t.teardown(() => rtp.close());
  const caller = await lab.trunkCall('vm-caller-message', {
    caller: outside,
    callee,
    talkMs: (await promptMs('ja', 'vm-greeting')) + (await promptMs('ja', 'beep')) + 1000,
    vars: { rtp_port: String(rtp.port) },
  });
  await succeeded(t, caller);
  return (await awaitMessages(lab, callee, count)).at(-1);
}

/**
 * A voicemail notice, not the settings confirmation that provisioning a box also mails
 * (SPEC §3.11: a settings change sends one to the addresses).
 */
const isNotice = (m: ReceivedMail) => /^Message ID:/m.test(m.text);

/** Voicemail notices to `address`. */
const noticesTo = (sink: MailSink, address: string) => sink.to(address).filter(isNotice);

/** `Label: value` lines of a notice. */
function fields(mail: ReceivedMail): Map<string, string> {
  return new Map(
    mail.text
      .split(/\r?\n/)
      .map((line) => /^([^:]+):\s*(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [(m[1] ?? '').trim().toLowerCase(), (m[2] ?? '').trim()]),
  );
}

test('on recording, three addresses, audio attached: each address gets the notice with the WAV', async (t) => {
  t.timeout(90_000);
  const { lab, sink } = await mailLab(t, [
    boxNumber(alice, {
      maxMessages: 20,
      notification: { addresses, condition: 'on_recording', attachAudio: true },
    }),
  ]);
  const message = await deposit(t, lab, alice);
  t.truthy(message, 'no message stored');
  if (!message) return;

  const mails = await sink.waitFor(isNotice, { count: 1, timeoutMs: 15_000 });
  // Give every address its chance: wait until all three have one (one mail or three).
  await pollUntil(() => addresses.every((a) => noticesTo(sink, a).length > 0), Boolean, 10_000);
  for (const address of addresses)
    t.is(noticesTo(sink, address).length, 1, `notices to ${address}`);
  const mail = mails[0] as ReceivedMail;
  const f = fields(mail);
  const received = new Date(message.received_at);
  t.regex(f.get('received') ?? '', /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}(:\d{2})?$/);
  // The time shown is Tokyo's wall clock, within a minute of the stored time.
  const shown = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2})/.exec(f.get('received') ?? '');
  if (shown) {
    const [, y, mo, d, h, mi] = shown.map(Number) as number[];
    const asUtc = Date.UTC(y as number, (mo as number) - 1, d, (h as number) - 9, mi);
    t.true(
      Math.abs(asUtc - received.getTime()) < 120_000,
      `shown ${f.get('received')} for ${message.received_at}`,
    );
  }
  t.is(f.get('caller'), outside);
  t.is(f.get('called number'), alice);
  t.is(f.get('dial to listen'), '1417');
  t.regex(
    f.get('duration') ?? '',
    new RegExp(`^${Math.round(message.duration_ms / 1000)} seconds?$`),
  );
  t.is(f.get('messages'), '1/20');
  t.is(f.get('message id'), message.id);

  const [attachment] = mail.mail.attachments;
  t.is(mail.mail.attachments.length, 1);
  t.is(attachment?.filename, `${tokyoDate(received)}_${message.id}.wav`);
  const attached = parsePcmWav(attachment?.content ?? Buffer.alloc(0));
  const stored = await readPcmWav(join(voicemailDir(lab), alice, `${message.id}.wav`));
  t.like(attached, { sampleRate: 8000, channels: 1, bitsPerSample: 16 });
  t.true(
    Buffer.from(attached.samples.buffer).equals(Buffer.from(stored.samples.buffer)),
    'attached samples differ from the stored file',
  );
});

test('on call: an announce-only box mails although no message was left', async (t) => {
  t.timeout(60_000);
  const { lab, sink } = await mailLab(t, [
    boxNumber(alice, {
      guidance: 'announce_only',
      notification: {
        addresses: [addresses[0] as string],
        condition: 'on_call',
        attachAudio: true,
      },
    }),
  ]);
  const rtp = await RtpReceiver.start();
  t.teardown(() => rtp.close());
  const caller = await lab.trunkCall('vm-caller-listen', {
    caller: outside,
    callee: alice,
    vars: { rtp_port: String(rtp.port) },
  });
  await succeeded(t, caller);
  const [mail] = await sink.waitFor(
    (m) => isNotice(m) && m.envelopeTo.includes(addresses[0] as string),
  );
  const f = fields(mail as ReceivedMail);
  t.is(f.get('caller'), outside);
  t.is(f.get('called number'), alice);
  t.is(mail?.mail.attachments.length, 0, 'an attachment without a message');
});

test('none: nothing is queued (a second box with on recording mails first)', async (t) => {
  t.timeout(120_000);
  const { lab, sink } = await mailLab(t, [
    boxNumber(alice, {
      notification: { addresses: [addresses[0] as string], condition: 'none', attachAudio: true },
    }),
    boxNumber(bob, {
      notification: {
        addresses: ['bob@example.test'],
        condition: 'on_recording',
        attachAudio: false,
      },
    }),
  ]);
  t.truthy(await deposit(t, lab, alice), 'no message for alice');
  // bob's deposit comes after alice's call has ended; its mail arriving means any mail for
  // alice's deposit would have been queued long before.
  t.truthy(await deposit(t, lab, bob), 'no message for bob');
  await sink.waitFor((m) => isNotice(m) && m.envelopeTo.includes('bob@example.test'));
  const rows = mailQueue(lab).filter((row) => row.kind === 'voicemail');
  t.deepEqual(
    rows.map((row) => JSON.parse(row.recipients) as string[]),
    [['bob@example.test']],
    rows.map((r) => `${r.kind} ${r.recipients} ${r.subject}\n${r.text_body}`).join('\n---\n'),
  );
  t.deepEqual(noticesTo(sink, addresses[0] as string), []);
});

test('the SMTP server refuses the first delivery (451): the mail arrives on a retry, the call is unaffected', async (t) => {
  t.timeout(90_000);
  const { lab, sink } = await mailLab(
    t,
    [
      boxNumber(alice, {
        notification: {
          addresses: [addresses[0] as string],
          condition: 'on_recording',
          attachAudio: true,
        },
      }),
    ],
    // The notice itself is refused, not the settings confirmation mailed before it.
    { refuseFirst: 1, refuseWhen: (raw) => /^Message ID:/m.test(raw) },
  );
  const message = await deposit(t, lab, alice);
  t.truthy(message);
  const [mail] = await sink.waitFor(
    (m) => isNotice(m) && m.envelopeTo.includes(addresses[0] as string),
    { timeoutMs: 30_000 },
  );
  t.is(sink.refused, 1);
  t.is(fields(mail as ReceivedMail).get('message id'), message?.id);
  const rows = await pollUntil(
    () => mailQueue(lab),
    (r) => r.length > 0 && r.every((row) => row.status === 'sent'),
    10_000,
  );
  // Every mail went out in the end; the notice at its second attempt.
  t.deepEqual(
    rows.map((r) => r.status),
    rows.map(() => 'sent'),
  );
  t.like(
    rows.find((r) => r.kind === 'voicemail'),
    { status: 'sent', attempts: 2 },
  );
});
