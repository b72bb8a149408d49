// SPEC §3.12: the incoming call e-mail notification.
import {
  callerText,
  fieldLines,
  footer,
  formatLocalTime,
  subjectPrefix,
  type Caller,
  type MailContent,
  type MailLanguage,
} from './format.ts';

/** How the call ended, as §3.12 reports it. */
export type IncomingCallOutcome = 'answered' | 'no_answer' | 'forwarded' | 'busy';

export interface IncomingCallNoticeParams {
  language: MailLanguage;
  timeZone: string;
  /** When the call arrived. */
  at: Date;
  calledNumber: string;
  caller: Caller;
  ringSeconds: number;
  outcome: IncomingCallOutcome;
}

const words = {
  ja: {
    subject: '着信のお知らせ',
    intro: (n: string) => `${n} に着信がありました。`,
    at: '着信日時',
    caller: '発信者番号',
    called: '着信番号',
    ring: '呼出時間',
    seconds: (n: number) => `${n}秒`,
    outcome: '結果',
    outcomes: { answered: '応答', no_answer: '応答なし', forwarded: '転送', busy: '話中' },
  },
  en: {
    subject: 'Incoming call',
    intro: (n: string) => `There was a call to ${n}.`,
    at: 'Time',
    caller: 'Caller',
    called: 'Called number',
    ring: 'Rang for',
    seconds: (n: number) => `${n} ${n === 1 ? 'second' : 'seconds'}`,
    outcome: 'Outcome',
    outcomes: {
      answered: 'answered',
      no_answer: 'no answer',
      forwarded: 'forwarded',
      busy: 'busy',
    },
  },
} as const;

export function incomingCallNotice(p: IncomingCallNoticeParams): MailContent {
  const w = words[p.language];
  const caller = callerText(p.caller, p.language);
  const text = [
    w.intro(p.calledNumber),
    '',
    fieldLines([
      [w.at, formatLocalTime(p.at, p.timeZone)],
      [w.caller, caller],
      [w.called, p.calledNumber],
      [w.ring, w.seconds(p.ringSeconds)],
      [w.outcome, w.outcomes[p.outcome]],
    ]),
    '',
    footer[p.language],
    '',
  ].join('\n');
  return { subject: `${subjectPrefix[p.language]}${w.subject} (${caller})`, text, attachments: [] };
}
