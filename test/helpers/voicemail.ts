// Voicemail (SPEC §3.11) and incoming-call notice (§3.12) checks against the real server:
// the configuration a lab needs to mail through the test's SMTP server, the server's
// voicemail tables and mail queue read back, the stored WAV files parsed here, prompts found
// in what the RTP receiver got, DTMF capture files for SIPp, and message-centre scenarios
// written from a list of key presses.
import { encodeAlaw, voicedMs } from '@ipvoice/media';
import Database from 'better-sqlite3';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import {
  callScenario,
  succeeded,
  type CallLab,
  type NumberSpec,
  type VoicemailSpec,
} from './calls.ts';
import { repoRoot } from './feature-server.ts';
import { RtpReceiver } from './rtp.ts';

/** The configuration of a lab whose mail goes to the test's SMTP server (MailSink). */
export function mailEnv(
  smtpPort: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    IPVOICE_MAIL__TRANSPORT: 'smtp',
    IPVOICE_MAIL__SMTP__HOST: '127.0.0.1',
    IPVOICE_MAIL__SMTP__PORT: String(smtpPort),
    IPVOICE_MAIL__SMTP__SECURE: 'false',
    // A refused mail is tried again after a second, not half a minute.
    IPVOICE_MAIL__RETRY_BASE_SECONDS: '1',
    IPVOICE_MAIL__LANGUAGE: 'en',
    ...extra,
  };
}

/** Polls `read` until `done` holds for its value, or returns the last value after `timeoutMs`. */
export async function pollUntil<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Rows of a read-only query on the lab's SQLite database; [] while the table is missing. */
export function query<T>(lab: CallLab, sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(lab.server.dataDir, 'ipvoice.sqlite'), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    return db.prepare(sql).all(...params) as T[];
  } catch (error) {
    if (/no such table/.test(String(error))) return [];
    throw error;
  } finally {
    db.close();
  }
}

export interface VoicemailMessageRow {
  id: string;
  number_id: number;
  caller: string | null;
  caller_anonymity: string | null;
  called: string;
  received_at: string;
  duration_ms: number;
  status: 'new' | 'saved';
  audio_file: string;
  call_id: string | null;
}

/** The messages of `number`'s box, oldest first. */
export function voicemailMessages(lab: CallLab, number: string): VoicemailMessageRow[] {
  return query<VoicemailMessageRow>(
    lab,
    `SELECT m.* FROM voicemail_messages m JOIN numbers n ON n.id = m.number_id
      WHERE n.number = ? ORDER BY m.received_at, m.id`,
    number,
  );
}

/** Polls until `number`'s box holds `count` messages (or the time is up) and returns them. */
export function awaitMessages(
  lab: CallLab,
  number: string,
  count: number,
  timeoutMs = 10_000,
): Promise<VoicemailMessageRow[]> {
  return pollUntil(
    () => voicemailMessages(lab, number),
    (rows) => rows.length === count,
    timeoutMs,
  );
}

export interface VoicemailBoxRow {
  number_id: number;
  greeting_file: string | null;
  pin_failures: number;
  locked_until: string | null;
}

export function voicemailBox(lab: CallLab, number: string): VoicemailBoxRow | undefined {
  return query<VoicemailBoxRow>(
    lab,
    `SELECT b.* FROM voicemail_boxes b JOIN numbers n ON n.id = b.number_id WHERE n.number = ?`,
    number,
  )[0];
}

export interface MailQueueRow {
  id: number;
  kind: string;
  recipients: string;
  subject: string;
  text_body: string;
  attachments: string;
  status: string;
  attempts: number;
  last_error: string | null;
}

export function mailQueue(lab: CallLab): MailQueueRow[] {
  return query<MailQueueRow>(lab, 'SELECT * FROM mail_queue ORDER BY id');
}

/** The store folder of the lab's server (voicemail.storeDir's default). */
export function voicemailDir(lab: CallLab): string {
  return join(lab.server.dataDir, 'voicemail');
}

/** Where a message's audio is: `<dataDir>/voicemail/<number>/<id>.wav`. */
export function messageFile(lab: CallLab, number: string, id: string): string {
  return join(voicemailDir(lab), number, `${id}.wav`);
}

export interface PcmWav {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  samples: Int16Array;
}

/** A RIFF/WAVE file of 16-bit PCM, parsed here (not with the server's own reader). */
export function parsePcmWav(buf: Buffer): PcmWav {
  if (buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE')
    throw new Error('not RIFF/WAVE');
  let format: Omit<PcmWav, 'samples'> | undefined;
  for (let at = 12; at + 8 <= buf.length;) {
    const id = buf.toString('latin1', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = buf.subarray(at + 8, Math.min(at + 8 + size, buf.length));
    if (id === 'fmt ') {
      if (body.readUInt16LE(0) !== 1) throw new Error(`format ${body.readUInt16LE(0)}, not PCM`);
      format = {
        channels: body.readUInt16LE(2),
        sampleRate: body.readUInt32LE(4),
        bitsPerSample: body.readUInt16LE(14),
      };
    } else if (id === 'data') {
      if (!format) throw new Error('data chunk before fmt');
      if (format.bitsPerSample !== 16) throw new Error(`${format.bitsPerSample} bits per sample`);
      const samples = new Int16Array(Math.floor(body.length / 2));
      for (let i = 0; i < samples.length; i++) samples[i] = body.readInt16LE(i * 2);
      return { ...format, samples };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

export async function readPcmWav(path: string): Promise<PcmWav> {
  return parsePcmWav(await readFile(path));
}

/** Mean energy of the voiced 20 ms frames, dB relative to full scale 1 (int16 units²). */
export function voicedEnergyDb(samples: Int16Array, sampleRate = 8000): number {
  const frame = sampleRate / 50;
  let sum = 0;
  let count = 0;
  for (let start = 0; start + frame <= samples.length; start += frame) {
    const slice = samples.subarray(start, start + frame);
    if (voicedMs(slice, sampleRate) === 0) continue;
    for (const s of slice) sum += s * s;
    count += frame;
  }
  return count === 0 ? -Infinity : 10 * Math.log10(sum / count);
}

export type VoicemailPrompt =
  | 'vm-greeting'
  | 'vm-greeting-announce-only'
  | 'vm-box-full'
  | 'vm-recorded'
  | 'vm-enter-pin'
  | 'vm-wrong-pin'
  | 'vm-locked'
  | 'vm-main-menu'
  | 'vm-message-menu'
  | 'vm-deleted'
  | 'vm-no-more'
  | 'vm-goodbye'
  | 'beep';

/** A shipped prompt's samples (packages/media/prompts/<language>/<name>.wav). */
export async function promptSamples(
  language: 'ja' | 'en',
  name: VoicemailPrompt,
): Promise<Int16Array> {
  const file = join(repoRoot, 'packages/media/prompts', language, `${name}.wav`);
  return (await readPcmWav(file)).samples;
}

/** A prompt's whole length in ms (silence included): how long it takes to play. */
export async function promptMs(language: 'ja' | 'en', name: VoicemailPrompt): Promise<number> {
  return ((await promptSamples(language, name)).length / 8000) * 1000;
}

/** The payload bytes the receiver got, in arrival order (loopback does not reorder). */
export function receivedBytes(receiver: RtpReceiver, payloadType = 8): Buffer {
  return Buffer.concat(
    receiver.packets.filter((p) => p.payloadType === payloadType).map((p) => p.payload),
  );
}

/**
 * 200 ms of `samples`' A-law, from their first voiced 20 ms frame: a piece of a prompt (or a
 * message) that shows where it was played in the received byte stream, even when a key cut
 * the rest short.
 */
export function alawProbe(samples: Int16Array): Buffer {
  const frame = 160;
  let start = 0;
  while (
    start + frame <= samples.length &&
    voicedMs(samples.subarray(start, start + frame), 8000) === 0
  )
    start += frame;
  return encodeAlaw(samples.subarray(start, start + 1600));
}

/** Where each occurrence of `probe` starts in `bytes`. */
export function occurrences(bytes: Buffer, probe: Buffer): number[] {
  const found: number[] = [];
  if (probe.length === 0) return found;
  for (let at = bytes.indexOf(probe); at >= 0; at = bytes.indexOf(probe, at + probe.length))
    found.push(at);
  return found;
}

/**
 * The named pieces of audio in the order the receiver got them, by A-law byte position:
 * e.g. ['vm-enter-pin', 'vm-wrong-pin', 'vm-enter-pin', 'message', …].
 */
export function playedSequence(bytes: Buffer, probes: Record<string, Buffer>): string[] {
  return Object.entries(probes)
    .flatMap(([name, probe]) => occurrences(bytes, probe).map((at) => ({ name, at })))
    .sort((a, b) => a.at - b.at)
    .map((p) => p.name);
}

export async function promptProbes(
  language: 'ja' | 'en',
  names: readonly VoicemailPrompt[],
): Promise<Record<string, Buffer>> {
  return Object.fromEntries(
    await Promise.all(
      names.map(async (name) => [name, alawProbe(await promptSamples(language, name))] as const),
    ),
  );
}

const dtmfEvents = '0123456789*#';

/**
 * A capture file of one RFC 4733 key press (payload type 101, as SIPp's own dtmf_2833_*.pcap
 * files): seven updates 20 ms apart, then the end packet three times (§2.5.1.4), Ethernet /
 * IPv4 / UDP. SIPp rewrites addresses and ports but sends the RTP as it is, and a receiver
 * tells presses apart by their timestamp, so a key pressed twice in a call needs a capture of
 * its own with a later timestamp than the shipped file's fixed one.
 */
export function dtmfPcap(
  digit: string,
  rtp: { ssrc: number; sequence: number; timestamp: number },
): Buffer {
  const event = dtmfEvents.indexOf(digit);
  if (event < 0) throw new Error(`no RFC 4733 event for ${digit}`);
  const packets: Buffer[] = [];
  for (let i = 0; i < 10; i++) {
    const end = i >= 7;
    const duration = 160 * Math.min(i + 1, 8);
    const packet = Buffer.alloc(16);
    packet.writeUInt8(0x80, 0);
    packet.writeUInt8((i === 0 ? 0x80 : 0) | 101, 1);
    packet.writeUInt16BE((rtp.sequence + i) & 0xffff, 2);
    packet.writeUInt32BE(rtp.timestamp >>> 0, 4);
    packet.writeUInt32BE(rtp.ssrc >>> 0, 8);
    packet.writeUInt8(event, 12);
    packet.writeUInt8((end ? 0x80 : 0) | 10, 13);
    packet.writeUInt16BE(duration, 14);
    packets.push(packet);
  }
  return rtpPcap(packets);
}

/** A libpcap file (Ethernet / IPv4 / UDP, loopback) of RTP packets 20 ms apart. */
export function rtpPcap(packets: readonly Buffer[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20); // Ethernet
  const records = packets.map((payload, i) => {
    const udpLength = 8 + payload.length;
    const ipLength = 20 + udpLength;
    const frame = Buffer.alloc(14 + ipLength);
    frame.writeUInt16BE(0x0800, 12);
    const ip = frame.subarray(14);
    ip.writeUInt8(0x45, 0);
    ip.writeUInt16BE(ipLength, 2);
    ip.writeUInt8(64, 8);
    ip.writeUInt8(17, 9);
    Buffer.from([127, 0, 0, 1]).copy(ip, 12);
    Buffer.from([127, 0, 0, 1]).copy(ip, 16);
    let sum = 0;
    for (let k = 0; k < 20; k += 2) sum += ip.readUInt16BE(k);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    ip.writeUInt16BE(~sum & 0xffff, 10);
    const udp = ip.subarray(20);
    udp.writeUInt16BE(4000, 0);
    udp.writeUInt16BE(4002, 2);
    udp.writeUInt16BE(udpLength, 4);
    payload.copy(udp, 8);
    const record = Buffer.alloc(16);
    const micros = i * 20_000;
    record.writeUInt32LE(1_700_000_000 + Math.floor(micros / 1e6), 0);
    record.writeUInt32LE(micros % 1e6, 4);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    return Buffer.concat([record, frame]);
  });
  return Buffer.concat([header, ...records]);
}

/**
 * A capture of `ms` of A-law silence (payload type 8, 20 ms packets): a caller whose phone
 * sends audio all the time but says nothing.
 */
export function silencePcap(ms: number): Buffer {
  const ssrc = 0x51e70000 + Math.floor(Math.random() * 0xffff);
  const packets = Array.from({ length: Math.ceil(ms / 20) }, (_, i) => {
    const packet = Buffer.alloc(12 + 160, 0xd5);
    packet.writeUInt8(0x80, 0);
    packet.writeUInt8((i === 0 ? 0x80 : 0) | 8, 1);
    packet.writeUInt16BE((3000 + i) & 0xffff, 2);
    packet.writeUInt32BE(160_000 + i * 160, 4);
    packet.writeUInt32BE(ssrc, 8);
    return packet;
  });
  return rtpPcap(packets);
}

/** Writes `scenario` of test/sipp/calls with its STEPS comment replaced by `steps` (SIPp XML). */
export async function scenarioWithSteps(
  lab: CallLab,
  scenario: string,
  steps: string,
): Promise<string> {
  const template = await readFile(callScenario(scenario), 'utf8');
  if (!template.includes('<!-- STEPS -->')) throw new Error(`${scenario} has no STEPS comment`);
  const file = join(lab.dir, `${scenario}-${Date.now()}-${Math.floor(Math.random() * 1e6)}.xml`);
  await writeFile(file, template.replace('<!-- STEPS -->', steps));
  return file;
}

/** One step of a message-centre caller: keys as RFC 4733 or SIP INFO, or a pause. */
export type CentreStep = { keys: string; via?: 'rtp' | 'info' } | { pauseMs: number };

/** The gap between two key presses (a capture plays for ~160 ms). */
const KEY_GAP_MS = 300;

/**
 * Writes a message-centre caller scenario (test/sipp/calls/vm-centre.xml with its steps filled
 * in) into the lab's folder: every RTP key press gets a capture of its own whose timestamp
 * is later than the last one, so repeated keys count as new presses.
 */
export async function centreScenario(lab: CallLab, steps: readonly CentreStep[]): Promise<string> {
  const template = await readFile(callScenario('vm-centre'), 'utf8');
  const ssrc = 0x5eed0000 + Math.floor(Math.random() * 0xffff);
  let sequence = 1000;
  let timestamp = 80_000;
  let cseq = 10;
  let n = 0;
  const parts: string[] = [];
  for (const step of steps) {
    if ('pauseMs' in step) {
      parts.push(`  <pause milliseconds="${Math.max(0, Math.round(step.pauseMs))}"/>`);
      continue;
    }
    for (const key of step.keys) {
      if (step.via === 'info') {
        parts.push(infoKey(key, cseq++));
      } else {
        const file = join(
          lab.dir,
          `dtmf-${process.pid}-${Date.now()}-${n++}-${key === '#' ? 'pound' : key === '*' ? 'star' : key}.pcap`,
        );
        await writeFile(file, dtmfPcap(key, { ssrc, sequence, timestamp }));
        sequence += 10;
        timestamp += 8000;
        parts.push(
          `  <nop><action><exec play_pcap_audio="${file}"/></action></nop>`,
          `  <pause milliseconds="${KEY_GAP_MS}"/>`,
        );
      }
    }
  }
  const file = join(lab.dir, `vm-centre-${n}-${Date.now()}.xml`);
  await writeFile(file, template.replace('<!-- STEPS -->', parts.join('\n')));
  return file;
}

/** A key as SIP INFO (application/dtmf-relay), answered 200. */
function infoKey(key: string, cseq: number): string {
  return `  <send retrans="500">
    <![CDATA[

      INFO [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];rport;branch=[branch]
      Max-Forwards: 70
      [last_From:]
      [last_To:]
      [routes]
      Call-ID: [call_id]
      CSeq: ${cseq} INFO
      Contact: <sip:[field0]@[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal=${key}
      Duration=160

    ]]>
  </send>
  <recv response="200"/>
  <pause milliseconds="${KEY_GAP_MS}"/>`;
}

/** The local date `YYYYMMDD` of `at` in Asia/Tokyo (mail attachment names, SPEC §3.11). */
export function tokyoDate(at: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Tokyo',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}${get('month')}${get('day')}`;
}

/** Hours and minutes `HH:MM` of `at` in Asia/Tokyo. */
export function tokyoTime(at: Date): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Tokyo',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(at);
}

/** A base number with a voicemail box that takes every call (forwarding unconditional). */
export function voicemailNumber(number: string, voicemail: VoicemailSpec): NumberSpec {
  return {
    number,
    subscriptions: ['voicemail'],
    voicemail,
    forwarding: { enabled: true, when: 'unconditional', slots: [null], target: 'voicemail' },
  };
}

/**
 * A trunk call from `caller` that leaves SIPp's g711a.pcap in `callee`'s box (which must
 * take the call at once); resolves with the box's messages once there are `count`.
 */
export async function depositMessage(
  t: ExecutionContext,
  lab: CallLab,
  callee: string,
  options: { caller?: string; count?: number } = {},
): Promise<VoicemailMessageRow[]> {
  const rtp = await RtpReceiver.start();
  t.teardown(() => rtp.close());
  const caller = await lab.trunkCall('vm-caller-message', {
    caller: options.caller ?? '0312000001',
    callee,
    talkMs: (await promptMs('ja', 'vm-greeting')) + (await promptMs('ja', 'beep')) + 1000,
    vars: { rtp_port: String(rtp.port) },
  });
  await succeeded(t, caller);
  return awaitMessages(lab, callee, options.count ?? 1);
}

/** The whole length of a list of shipped prompts, ms. */
export async function promptsMs(language: 'ja' | 'en', names: readonly string[]): Promise<number> {
  let total = 0;
  for (const name of names) total += await promptMs(language, name as VoicemailPrompt);
  return total;
}
