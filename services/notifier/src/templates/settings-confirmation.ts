// SPEC §3.11: a settings change sends a confirmation e-mail to the notification addresses.
import {
  fieldLines,
  footer,
  formatLocalTime,
  subjectPrefix,
  type MailContent,
  type MailLanguage,
} from './format.ts';

export interface SettingsConfirmationParams {
  language: MailLanguage;
  timeZone: string;
  /** When the change was made. */
  at: Date;
  /** The number whose settings changed. */
  number: string;
  /** One line per setting as it now stands, e.g. "E-mail notification: on recording". */
  summary: readonly string[];
}

const words = {
  ja: {
    subject: '設定変更のお知らせ',
    intro: (n: string) => `${n} の設定が変更されました。`,
    at: '変更日時',
    number: '番号',
    summary: '変更後の設定:',
    unknown: 'お心当たりのない場合は、管理者にお問い合わせください。',
  },
  en: {
    subject: 'Settings changed',
    intro: (n: string) => `The settings of ${n} have been changed.`,
    at: 'Changed at',
    number: 'Number',
    summary: 'Settings now:',
    unknown: 'If you did not make this change, please contact your administrator.',
  },
} as const;

export function settingsConfirmation(p: SettingsConfirmationParams): MailContent {
  const w = words[p.language];
  const text = [
    w.intro(p.number),
    '',
    fieldLines([
      [w.at, formatLocalTime(p.at, p.timeZone)],
      [w.number, p.number],
    ]),
    '',
    w.summary,
    ...p.summary.map((line) => `- ${line}`),
    '',
    w.unknown,
    '',
    footer[p.language],
    '',
  ].join('\n');
  return {
    subject: `${subjectPrefix[p.language]}${w.subject} (${p.number})`,
    text,
    attachments: [],
  };
}

/** The voicemail settings a confirmation lists (SPEC §3.11); the PIN itself is never mailed. */
export interface VoicemailSettingsView {
  guidance: 'record' | 'announce_only';
  greeting: 'system' | 'custom';
  maxMessages: number;
  pin: string | null;
  notification: {
    addresses: readonly string[];
    condition: 'none' | 'on_call' | 'on_recording';
    attachAudio: boolean;
  };
}

const voicemailWords = {
  ja: {
    guidance: { record: '応答後に録音', announce_only: '応答メッセージのみ' },
    greeting: { system: '標準', custom: 'お客様の録音' },
    condition: { none: '通知しない', on_call: '着信時', on_recording: '録音時' },
  },
  en: {
    guidance: { record: 'greeting, then record', announce_only: 'greeting only' },
    greeting: { system: 'system', custom: 'your own' },
    condition: { none: 'none', on_call: 'on call', on_recording: 'on recording' },
  },
} as const;

/** One line per voicemail setting as it now stands, for `settingsConfirmation`'s summary. */
export function voicemailSummary(v: VoicemailSettingsView, language: MailLanguage): string[] {
  const w = voicemailWords[language];
  const n = v.notification;
  const addresses = n.addresses.join(', ');
  return language === 'ja'
    ? [
        `ガイダンス: ${w.guidance[v.guidance]}`,
        `応答メッセージ: ${w.greeting[v.greeting]}`,
        `最大保存件数: ${v.maxMessages}件`,
        `暗証番号: ${v.pin === null ? '未設定' : '設定済み'}`,
        `メール通知: ${w.condition[n.condition]}（音声添付: ${n.attachAudio ? 'あり' : 'なし'}）`,
        `通知先: ${addresses || 'なし'}`,
      ]
    : [
        `Guidance: ${w.guidance[v.guidance]}`,
        `Greeting: ${w.greeting[v.greeting]}`,
        `Messages kept: up to ${v.maxMessages}`,
        `PIN: ${v.pin === null ? 'not set' : 'set'}`,
        `E-mail notification: ${w.condition[n.condition]} (audio attached: ${n.attachAudio ? 'yes' : 'no'})`,
        `Addresses: ${addresses || 'none'}`,
      ];
}
