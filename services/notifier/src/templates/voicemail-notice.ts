// SPEC §3.11: the e-mail sent when a message is left in a voicemail box.
import {
  callerText,
  fieldLines,
  footer,
  localDateStamp,
  formatLocalTime,
  subjectPrefix,
  type Caller,
  type MailContent,
  type MailLanguage,
} from './format.ts';

export interface VoicemailNoticeParams {
  language: MailLanguage;
  /** The box owner's zone (IANA), for the times shown and the attachment's date. */
  timeZone: string;
  receivedAt: Date;
  caller: Caller;
  calledNumber: string;
  /** The number to dial to listen (the message centre). */
  centreNumber: string;
  durationSeconds: number;
  /** Messages in the box now, this one included, and how many it holds. */
  messageCount: number;
  maxMessages: number;
  messageId: string | number;
  /** The recording on disk, when the box attaches audio. */
  attachment?: { path: string };
}

const words = {
  ja: {
    subject: 'メッセージをお預かりしました',
    intro: 'メッセージボックスに新しいメッセージをお預かりしました。',
    receivedAt: '受信日時',
    caller: '発信者番号',
    called: '着信番号',
    centre: '再生ダイヤル番号',
    duration: '録音時間',
    seconds: (n: number) => `${n}秒`,
    count: 'メッセージ件数',
    id: 'メッセージID',
    listen: (centre: string) => `メッセージをお聞きになるには ${centre} にお電話ください。`,
    attached: (name: string) => `録音したメッセージを添付しています (${name})。`,
  },
  en: {
    subject: 'New voice message',
    intro: 'A new message has been left in your voicemail box.',
    receivedAt: 'Received',
    caller: 'Caller',
    called: 'Called number',
    centre: 'Dial to listen',
    duration: 'Duration',
    seconds: (n: number) => `${n} ${n === 1 ? 'second' : 'seconds'}`,
    count: 'Messages',
    id: 'Message ID',
    listen: (centre: string) => `To listen to your messages, call ${centre}.`,
    attached: (name: string) => `The recording is attached (${name}).`,
  },
} as const;

/** SPEC §3.11: the attachment is named `YYYYMMDD_<id>.wav`, dated in the box's zone. */
export function voicemailAttachmentName(
  receivedAt: Date,
  timeZone: string,
  messageId: string | number,
): string {
  return `${localDateStamp(receivedAt, timeZone)}_${messageId}.wav`;
}

export function voicemailNotice(p: VoicemailNoticeParams): MailContent {
  const w = words[p.language];
  const caller = callerText(p.caller, p.language);
  const filename = p.attachment
    ? voicemailAttachmentName(p.receivedAt, p.timeZone, p.messageId)
    : undefined;
  const body = [
    w.intro,
    '',
    fieldLines([
      [w.receivedAt, formatLocalTime(p.receivedAt, p.timeZone)],
      [w.caller, caller],
      [w.called, p.calledNumber],
      [w.centre, p.centreNumber],
      [w.duration, w.seconds(p.durationSeconds)],
      [w.count, `${p.messageCount}/${p.maxMessages}`],
      [w.id, String(p.messageId)],
    ]),
    '',
    w.listen(p.centreNumber),
    ...(filename ? [w.attached(filename)] : []),
    '',
    footer[p.language],
    '',
  ];
  return {
    subject: `${subjectPrefix[p.language]}${w.subject} (${caller})`,
    text: body.join('\n'),
    attachments:
      p.attachment && filename
        ? [{ filename, path: p.attachment.path, contentType: 'audio/wav' }]
        : [],
  };
}
