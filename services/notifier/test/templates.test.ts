import test from 'ava';
import {
  addressTestMail,
  callerText,
  formatLocalTime,
  incomingCallMail,
  incomingCallNotice,
  localDateStamp,
  retryDelayMs,
  settingsConfirmation,
  settingsConfirmationMail,
  testMail,
  voicemailMail,
  voicemailNotice,
  type VoicemailNoticeParams,
  voicemailSummary,
} from '../src/index.ts';

const receivedAt = new Date('2026-11-30T15:30:00Z');

const voicemail = (over: Partial<VoicemailNoticeParams> = {}): VoicemailNoticeParams => ({
  language: 'ja',
  timeZone: 'Asia/Tokyo',
  receivedAt,
  caller: { number: '0312345678' },
  calledNumber: '0501111222',
  centreNumber: '1417',
  durationSeconds: 42,
  messageCount: 1,
  maxMessages: 20,
  messageId: 'm-77',
  ...over,
});

function hasLines(t: import('ava').ExecutionContext, text: string, lines: string[]) {
  for (const line of lines) t.true(text.split('\n').includes(line), `missing line "${line}"`);
}

test('time is formatted in the zone as YYYY/MM/DD HH:mm:ss', (t) => {
  t.is(formatLocalTime(receivedAt, 'Asia/Tokyo'), '2026/12/01 00:30:00');
  t.is(formatLocalTime(receivedAt, 'UTC'), '2026/11/30 15:30:00');
  t.is(
    formatLocalTime(new Date('2026-07-01T03:04:05Z'), 'America/New_York'),
    '2026/06/30 23:04:05',
  );
  t.is(
    formatLocalTime(new Date('2026-01-01T15:00:00Z'), 'Asia/Tokyo'),
    '2026/01/02 00:00:00',
    'midnight is 00',
  );
  t.is(localDateStamp(receivedAt, 'Asia/Tokyo'), '20261201');
  t.is(localDateStamp(receivedAt, 'UTC'), '20261130');
});

test('a caller without a number is named by the reason, in each language', (t) => {
  const cases = [
    [{ anonymity: 'withheld' }, '非通知', 'withheld'],
    [{ anonymity: 'payphone' }, '公衆電話', 'payphone'],
    [{ anonymity: 'unavailable' }, '表示圏外', 'unavailable'],
    [{}, '表示圏外', 'unavailable'],
    // A trunk may still send the number of a withheld caller: it is not shown.
    [{ number: '0312345678', anonymity: 'withheld' }, '非通知', 'withheld'],
    [{ number: '0312345678' }, '0312345678', '0312345678'],
  ] as const;
  for (const [caller, ja, en] of cases) {
    t.is(callerText(caller, 'ja'), ja);
    t.is(callerText(caller, 'en'), en);
  }
});

test('voicemail notice in Japanese lists every field and names the attachment by the Tokyo date', (t) => {
  const mail = voicemailNotice(voicemail({ attachment: { path: '/var/vm/m-77.wav' } }));
  t.is(mail.subject, '【IP Voice】メッセージをお預かりしました (0312345678)');
  hasLines(t, mail.text, [
    '受信日時: 2026/12/01 00:30:00',
    '発信者番号: 0312345678',
    '着信番号: 0501111222',
    '再生ダイヤル番号: 1417',
    '録音時間: 42秒',
    'メッセージ件数: 1/20',
    'メッセージID: m-77',
    'メッセージをお聞きになるには 1417 にお電話ください。',
    '録音したメッセージを添付しています (20261201_m-77.wav)。',
  ]);
  t.deepEqual(mail.attachments, [
    { filename: '20261201_m-77.wav', path: '/var/vm/m-77.wav', contentType: 'audio/wav' },
  ]);
});

test('voicemail notice in English lists every field', (t) => {
  const mail = voicemailNotice(
    voicemail({
      language: 'en',
      caller: { anonymity: 'payphone' },
      durationSeconds: 1,
      messageCount: 20,
      messageId: 9,
      attachment: { path: '/vm/9.wav' },
    }),
  );
  t.is(mail.subject, '[IP Voice] New voice message (payphone)');
  hasLines(t, mail.text, [
    'Received: 2026/12/01 00:30:00',
    'Caller: payphone',
    'Called number: 0501111222',
    'Dial to listen: 1417',
    'Duration: 1 second',
    'Messages: 20/20',
    'Message ID: 9',
  ]);
  t.is(mail.attachments[0]?.filename, '20261201_9.wav');
});

test('voicemail notice without audio has no attachment and does not mention one', (t) => {
  for (const language of ['ja', 'en'] as const) {
    const mail = voicemailNotice(voicemail({ language, caller: { anonymity: 'withheld' } }));
    t.deepEqual(mail.attachments, []);
    t.false(/添付|attached/.test(mail.text));
  }
  t.true(
    voicemailNotice(voicemail({ caller: { anonymity: 'withheld' } })).text.includes(
      '発信者番号: 非通知',
    ),
  );
  t.true(
    voicemailNotice(voicemail({ language: 'en', caller: {} })).text.includes('Caller: unavailable'),
  );
});

test('the attachment is dated in the given zone', (t) => {
  const at = (timeZone: string) =>
    voicemailNotice(voicemail({ timeZone, attachment: { path: '/x.wav' } })).attachments[0]
      ?.filename;
  t.is(at('Asia/Tokyo'), '20261201_m-77.wav');
  t.is(at('UTC'), '20261130_m-77.wav');
});

test('settings confirmation in both languages', (t) => {
  const params = {
    timeZone: 'Asia/Tokyo',
    at: new Date('2026-03-31T23:59:59Z'),
    number: '0312345678',
    summary: ['メール通知: 録音時', '音声添付: あり'],
  };
  const ja = settingsConfirmation({ ...params, language: 'ja' });
  t.is(ja.subject, '【IP Voice】設定変更のお知らせ (0312345678)');
  hasLines(t, ja.text, [
    '0312345678 の設定が変更されました。',
    '変更日時: 2026/04/01 08:59:59',
    '番号: 0312345678',
    '- メール通知: 録音時',
    '- 音声添付: あり',
  ]);
  t.deepEqual(ja.attachments, []);
  const en = settingsConfirmation({
    ...params,
    language: 'en',
    summary: ['E-mail notification: on recording'],
  });
  t.is(en.subject, '[IP Voice] Settings changed (0312345678)');
  hasLines(t, en.text, [
    'Changed at: 2026/04/01 08:59:59',
    'Number: 0312345678',
    '- E-mail notification: on recording',
  ]);
});

test('voicemail settings summary: every setting in words, the PIN never written', (t) => {
  const settings = {
    guidance: 'record' as const,
    greeting: 'custom' as const,
    maxMessages: 15,
    pin: '2580',
    notification: {
      addresses: ['a@example.com', 'b@example.com'],
      condition: 'on_recording' as const,
      attachAudio: true,
    },
  };
  const en = voicemailSummary(settings, 'en');
  t.deepEqual(en, [
    'Guidance: greeting, then record',
    'Greeting: your own',
    'Messages kept: up to 15',
    'PIN: set',
    'E-mail notification: on recording (audio attached: yes)',
    'Addresses: a@example.com, b@example.com',
  ]);
  const ja = voicemailSummary(
    {
      ...settings,
      guidance: 'announce_only',
      pin: null,
      notification: { addresses: [], condition: 'none', attachAudio: false },
    },
    'ja',
  );
  t.deepEqual(ja, [
    'ガイダンス: 応答メッセージのみ',
    '応答メッセージ: お客様の録音',
    '最大保存件数: 15件',
    '暗証番号: 未設定',
    'メール通知: 通知しない（音声添付: なし）',
    '通知先: なし',
  ]);
  for (const line of [...en, ...ja]) t.false(line.includes('2580'), line);
});

test('incoming call notice in Japanese: every field and every outcome in words', (t) => {
  const notice = (outcome: 'answered' | 'no_answer' | 'forwarded' | 'busy') =>
    incomingCallNotice({
      language: 'ja',
      timeZone: 'Asia/Tokyo',
      at: receivedAt,
      calledNumber: '0501111222',
      caller: { number: '09012345678' },
      ringSeconds: 15,
      outcome,
    });
  const mail = notice('no_answer');
  t.is(mail.subject, '【IP Voice】着信のお知らせ (09012345678)');
  hasLines(t, mail.text, [
    '着信日時: 2026/12/01 00:30:00',
    '発信者番号: 09012345678',
    '着信番号: 0501111222',
    '呼出時間: 15秒',
    '結果: 応答なし',
  ]);
  t.true(notice('answered').text.includes('結果: 応答\n'));
  t.true(notice('forwarded').text.includes('結果: 転送'));
  t.true(notice('busy').text.includes('結果: 話中'));
});

test('incoming call notice in English, with each anonymity reason', (t) => {
  const notice = (
    anonymity: 'withheld' | 'payphone' | 'unavailable',
    outcome = 'answered' as const,
  ) =>
    incomingCallNotice({
      language: 'en',
      timeZone: 'UTC',
      at: receivedAt,
      calledNumber: '0501111222',
      caller: { anonymity },
      ringSeconds: 0,
      outcome,
    });
  const mail = notice('withheld');
  t.is(mail.subject, '[IP Voice] Incoming call (withheld)');
  hasLines(t, mail.text, [
    'Time: 2026/11/30 15:30:00',
    'Caller: withheld',
    'Called number: 0501111222',
    'Rang for: 0 seconds',
    'Outcome: answered',
  ]);
  t.true(notice('payphone').text.includes('Caller: payphone'));
  t.true(notice('unavailable').text.includes('Caller: unavailable'));
  for (const [outcome, words] of [
    ['no_answer', 'no answer'],
    ['forwarded', 'forwarded'],
    ['busy', 'busy'],
  ] as const) {
    const text = incomingCallNotice({
      language: 'en',
      timeZone: 'UTC',
      at: receivedAt,
      calledNumber: '1',
      caller: {},
      ringSeconds: 1,
      outcome,
    }).text;
    t.true(text.includes(`Outcome: ${words}\n`), outcome);
  }
});

test('test mail in both languages names the number', (t) => {
  const ja = testMail({ language: 'ja', number: '0312345678' });
  t.is(ja.subject, '【IP Voice】テストメール (0312345678)');
  t.true(ja.text.includes('0312345678 の着信お知らせメールのテスト送信です。'));
  const en = testMail({ language: 'en', number: '0312345678' });
  t.is(en.subject, '[IP Voice] Test mail (0312345678)');
  t.true(en.text.includes('e-mail notifications for 0312345678'));
});

test('the mail helpers put the template with its recipients and kind', (t) => {
  const vm = voicemailMail(['a@example.jp'], voicemail({ attachment: { path: '/x.wav' } }));
  t.is(vm.kind, 'voicemail');
  t.deepEqual(vm.to, ['a@example.jp']);
  t.deepEqual(vm, {
    kind: 'voicemail',
    to: ['a@example.jp'],
    ...voicemailNotice(voicemail({ attachment: { path: '/x.wav' } })),
  });
  t.is(
    settingsConfirmationMail(['a@example.jp'], {
      language: 'en',
      timeZone: 'UTC',
      at: receivedAt,
      number: '1',
      summary: [],
    }).kind,
    'settings_confirmation',
  );
  t.is(
    incomingCallMail(['a@example.jp'], {
      language: 'en',
      timeZone: 'UTC',
      at: receivedAt,
      calledNumber: '1',
      caller: {},
      ringSeconds: 1,
      outcome: 'busy',
    }).kind,
    'incoming_call',
  );
  t.is(addressTestMail(['a@example.jp'], { language: 'ja', number: '1' }).kind, 'test');
});

test('retry delays double from the base and stop at an hour', (t) => {
  t.deepEqual(
    [1, 2, 3, 4, 7, 8, 100].map((n) => retryDelayMs(n, 30)),
    [30_000, 60_000, 120_000, 240_000, 1_920_000, 3_600_000, 3_600_000],
  );
  t.is(retryDelayMs(1, 3600), 3_600_000);
});
