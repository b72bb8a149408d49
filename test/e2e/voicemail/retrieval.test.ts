// SPEC §3.11 retrieval through the real server: the box's own phone dials the message centre
// (1417) with digest, is asked for the PIN, and drives the menus with key presses (RFC 4733
// captures played by SIPp, or SIP INFO). What the server said is read from the RTP receiver by
// finding each prompt's A-law in the stream; the box's row, files and lock state are read back.
// The caller presses keys as a listener would: while an interruptible prompt plays, or after
// one that cannot be interrupted has ended (the pauses are the caller's, from prompt lengths).
import test, { type ExecutionContext } from 'ava';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { CallLab, received, succeeded } from '../../helpers/calls.ts';
import { RtpReceiver } from '../../helpers/rtp.ts';
import {
  alawProbe,
  centreScenario,
  depositMessage,
  playedSequence,
  pollUntil,
  promptMs,
  promptProbes,
  promptsMs,
  readPcmWav,
  receivedBytes,
  voicemailBox,
  voicemailDir,
  voicemailMessages,
  voicemailNumber,
  type CentreStep,
} from '../../helpers/voicemail.ts';

const alice = '0355550001';
const pin = '2580';

async function centreLab(t: ExecutionContext): Promise<CallLab> {
  const lab = await CallLab.start({
    lines: [{ numbers: [voicemailNumber(alice, { pin, maxMessages: 20 })] }],
  });
  t.teardown(() => lab.dispose());
  return lab;
}

/** alice's phone calls 1417 and does `steps`, then waits for the server's BYE. */
async function callCentre(t: ExecutionContext, lab: CallLab, steps: CentreStep[]) {
  const rtp = await RtpReceiver.start();
  t.teardown(() => rtp.close());
  const run = await lab.sipp({
    scenario: await centreScenario(lab, steps),
    target: lab.server.target,
    transport: 'u1',
    injectionFile: await lab.credentialsFile(alice),
    vars: { callee: '1417', rtp_port: String(rtp.port) },
    timeoutMs: 90_000,
  });
  return { run, rtp };
}

/** The summary and main menu that follow a login or the end of the messages. */
async function summaryMs(newCount: number, savedCount: number): Promise<number> {
  return promptsMs('ja', [
    'vm-new-before',
    `num-${newCount}`,
    'vm-new-after',
    'vm-saved-before',
    `num-${savedCount}`,
    'vm-saved-after',
  ]);
}

const menuProbes = () =>
  promptProbes('ja', [
    'vm-enter-pin',
    'vm-wrong-pin',
    'vm-locked',
    'vm-main-menu',
    'vm-message-menu',
    'vm-deleted',
    'vm-no-more',
    'vm-goodbye',
  ]);

test('a wrong PIN, the right one, play the message, delete it, the main menu again, 9: goodbye and BYE', async (t) => {
  t.timeout(150_000);
  const lab = await centreLab(t);
  const [message] = await depositMessage(t, lab, alice);
  t.truthy(message, 'no message to retrieve');
  if (!message) return;
  const file = join(voicemailDir(lab), alice, `${message.id}.wav`);
  const stored = await readPcmWav(file);

  const wrongPinMs = await promptMs('ja', 'vm-wrong-pin');
  const { run, rtp } = await callCentre(t, lab, [
    { pauseMs: 1000 },
    { keys: '1357#' },
    // vm-wrong-pin cannot be interrupted; the PIN is asked again after it.
    { pauseMs: wrongPinMs + 1200 },
    { keys: `${pin}#` },
    { pauseMs: 1500 },
    { keys: '1' },
    // Hear the message through, and into the message menu.
    { pauseMs: message.duration_ms + 1500 },
    { keys: '7' },
    // vm-deleted, vm-no-more, then the summary; press 9 once the main menu plays.
    {
      pauseMs:
        (await promptsMs('ja', ['vm-deleted', 'vm-no-more'])) + (await summaryMs(0, 0)) + 1000,
    },
    { keys: '9' },
  ]);
  // The wrong PIN is counted while the caller is still in the call.
  const box = await pollUntil(
    () => voicemailBox(lab, alice),
    (b) => b?.pin_failures === 1,
    30_000,
  );
  t.is(box?.pin_failures, 1, 'pin_failures after one wrong PIN');

  await succeeded(t, run);
  t.is(received(await run.messages(), 'BYE').length, 1, 'the server did not hang up');
  await rtp.settled(300);
  const heard = playedSequence(receivedBytes(rtp), {
    ...(await menuProbes()),
    message: alawProbe(stored.samples),
  });
  t.deepEqual(
    heard.filter((n) => n !== 'vm-main-menu' && n !== 'vm-message-menu'),
    [
      'vm-enter-pin',
      'vm-wrong-pin',
      'vm-enter-pin',
      'message',
      'vm-deleted',
      'vm-no-more',
      'vm-goodbye',
    ],
    heard.join(', '),
  );
  // After vm-no-more, the main menu again before the goodbye.
  const noMore = heard.indexOf('vm-no-more');
  t.true(heard.indexOf('vm-main-menu', noMore) > noMore, heard.join(', '));

  t.deepEqual(voicemailMessages(lab, alice), [], 'the row is still there');
  await t.throwsAsync(access(file), undefined, `${file} is still there`);
  t.is(voicemailBox(lab, alice)?.pin_failures, 0, 'the right PIN clears the count');
});

test('three wrong PINs lock the box (vm-locked, BYE); the next login is refused at once, right PIN or not', async (t) => {
  t.timeout(150_000);
  const lab = await centreLab(t);
  const wrongPinMs = await promptMs('ja', 'vm-wrong-pin');
  const first = await callCentre(t, lab, [
    { pauseMs: 1000 },
    { keys: '1357#' },
    { pauseMs: wrongPinMs + 1200 },
    { keys: '9753#' },
    { pauseMs: wrongPinMs + 1200 },
    { keys: '1470#' },
  ]);
  await succeeded(t, first.run);
  await first.rtp.settled(300);
  const heard = playedSequence(receivedBytes(first.rtp), await menuProbes());
  t.deepEqual(
    heard.filter((n) => n !== 'vm-goodbye'),
    ['vm-enter-pin', 'vm-wrong-pin', 'vm-enter-pin', 'vm-wrong-pin', 'vm-enter-pin', 'vm-locked'],
  );
  const box = voicemailBox(lab, alice);
  t.is(box?.pin_failures, 3);
  t.truthy(box?.locked_until, 'no lock time stored');

  const second = await callCentre(t, lab, [{ pauseMs: 1000 }, { keys: `${pin}#` }]);
  await succeeded(t, second.run);
  await second.rtp.settled(300);
  const again = playedSequence(receivedBytes(second.rtp), await menuProbes());
  t.is(again[0], 'vm-locked', again.join(', '));
  t.false(again.includes('vm-enter-pin'), `asked for the PIN while locked: ${again.join(', ')}`);
  t.false(again.includes('vm-main-menu'), 'logged in while locked');
});

test('SIP INFO keys (application/dtmf-relay) log in and leave like RFC 4733 ones', async (t) => {
  t.timeout(90_000);
  const lab = await centreLab(t);
  const { run, rtp } = await callCentre(t, lab, [
    { pauseMs: 1000 },
    { keys: `${pin}#`, via: 'info' },
    { pauseMs: (await summaryMs(0, 0)) + 1000 },
    { keys: '9', via: 'info' },
  ]);
  await succeeded(t, run);
  await rtp.settled(300);
  const heard = playedSequence(receivedBytes(rtp), await menuProbes());
  t.deepEqual(heard, ['vm-enter-pin', 'vm-main-menu', 'vm-goodbye']);
  t.is(voicemailBox(lab, alice)?.pin_failures ?? 0, 0);
});
