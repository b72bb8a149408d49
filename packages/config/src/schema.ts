import { z } from 'zod';

// Environment values arrive as strings; these preprocessors let one schema serve YAML (typed)
// and the environment (text). Anything that does not look like the target type is passed
// through unchanged so the schema reports it with the original value.
const numeric = (v: unknown): unknown =>
  typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v;

const booleanWords: Record<string, boolean> = {
  true: true,
  yes: true,
  on: true,
  '1': true,
  false: false,
  no: false,
  off: false,
  '0': false,
};
const boolish = (v: unknown): unknown =>
  typeof v === 'string' ? (booleanWords[v.trim().toLowerCase()] ?? v) : v;

const list = (v: unknown): unknown =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    : v;

const integer = (min: number, max: number) => {
  const error = `expected an integer ${min}-${max}`;
  return z.preprocess(
    numeric,
    z.number({ error }).int({ error }).min(min, { error }).max(max, { error }),
  );
};
const port = () => integer(1, 65535);
const flag = () => z.preprocess(boolish, z.boolean({ error: 'expected true or false' }));
const text = () =>
  z.string({ error: 'expected a string' }).min(1, { error: 'expected a non-empty string' });
const optionalText = () => text().nullish();
// A week is far beyond any sensible SIP timer or expiry; it keeps typos like 36000000 out.
const seconds = (min = 1) => integer(min, 7 * 24 * 3600);
const millis = () => integer(1, 600_000);

const transport = z.strictObject({ enabled: flag(), port: port() });
const secureTransport = z.strictObject({
  enabled: flag(),
  port: port(),
  certFile: optionalText(),
  keyFile: optionalText(),
});

/** SPEC §3.1: how forwarding history travels (RFC 5806 Diversion, RFC 7044 History-Info). */
export const forwardingHistoryHeaders = ['diversion', 'history-info', 'both'] as const;

/** A trusted peer, recognised by the source address (and port, when given) of its requests. */
const trunk = z.strictObject({
  name: text(),
  address: text(),
  port: port().nullish(),
  protocol: z.enum(['UDP', 'TCP', 'TLS'], { error: 'expected one of UDP, TCP, TLS' }).nullish(),
  /** The route for numbers that are not ours; the first such trunk is used. */
  outbound: flag().nullish(),
});

/** SPEC §5: the language of the spoken guidance played before a refusal. */
export const announcementLanguages = ['ja', 'en'] as const;

/** How mail leaves: written to an outbox folder (embedded default) or sent over SMTP. */
export const mailTransports = ['outbox', 'smtp'] as const;
/** The language of notification e-mails (SPEC §3.11, §3.12). */
export const mailLanguages = ['ja', 'en'] as const;

// `addr@host` or `Display Name <addr@host>`: enough to catch a forgotten domain or bracket.
const mailbox = /^(?:[^<>]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

/** A dialled number: YAML must quote it, or 0120 would arrive as the integer 120. */
const digits = () =>
  z
    .string({ error: 'expected a string of digits (quote it in YAML)' })
    .regex(/^[0-9]{1,15}$/, { error: 'expected 1-15 digits' });

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const digestAlgorithms = ['SHA-256', 'MD5'] as const;

/**
 * The whole configuration as written in YAML or the environment, before the `auto` values and
 * paths are resolved. Every object is strict so a misspelt key is an error, not a silent default.
 */
export const configFileSchema = z
  .strictObject({
    server: z.strictObject({
      /** `auto`: `<hostname>-<pid>`. Must be unique per running feature server in a cluster. */
      id: text(),
    }),
    sip: z.strictObject({
      host: text(),
      /** `auto`: the first non-internal IPv4 address, else 127.0.0.1. */
      advertisedHost: text(),
      domain: text(),
      udp: transport,
      tcp: transport,
      tls: secureTransport,
      ws: transport,
      wss: secureTransport,
      // RFC 3261 §17.1.1.1: T1 is an RTT estimate, T2 the non-INVITE retransmit cap, T4 the
      // time a message may stay in the network.
      timers: z.strictObject({ t1: millis(), t2: millis(), t4: millis() }),
      userAgent: text(),
      maxMessageSize: integer(1024, 1_048_576),
      connectionIdleTimeout: seconds(),
    }),
    registrar: z.strictObject({
      minExpires: seconds(),
      maxExpires: seconds(),
      defaultExpires: seconds(),
      maxContacts: integer(1, 1000),
      udpKeepalive: z.strictObject({
        mode: z.enum(['options', 'none'], { error: 'expected one of options, none' }),
        interval: seconds(),
      }),
    }),
    auth: z.strictObject({
      algorithms: z.preprocess(
        list,
        z
          .array(
            z.enum(digestAlgorithms, { error: `expected one of ${digestAlgorithms.join(', ')}` }),
            {
              error: 'expected a list of digest algorithms',
            },
          )
          .min(1, { error: 'expected at least one digest algorithm' }),
      ),
      nonceTtl: seconds(),
      /** Signs nonces; absent means a random one per process, so set it for clusters. */
      secret: optionalText(),
    }),
    http: z.strictObject({ port: port(), host: text() }),
    /** The REST API (services/provisioning-api), served on http.port. */
    api: z.strictObject({
      /** The operator account made (or its password reset) at start; absent: no operator. */
      operatorLogin: optionalText(),
      operatorPassword: optionalText(),
      /** Session cookies carry `Secure`; turn off only behind no TLS at all (tests, a lab). */
      secureCookie: flag(),
    }),
    dataDir: text(),
    database: z.strictObject({
      /** Absent: `sqlite:<dataDir>/ipvoice.sqlite`. Otherwise `sqlite:<path>` or `postgres://…`. */
      url: z
        .string({ error: 'expected a string' })
        .regex(/^(sqlite:|postgres(ql)?:\/\/)/, {
          error: 'expected a sqlite:<path> or postgres:// URL',
        })
        .nullish(),
    }),
    state: z.strictObject({
      driver: z.enum(['memory', 'redis'], { error: 'expected one of memory, redis' }),
      /** Prefix of every Redis key, so several deployments (or test runs) can share a Redis. */
      keyPrefix: text(),
      redisUrl: z
        .string({ error: 'expected a string' })
        .regex(/^rediss?:\/\//, { error: 'expected a redis:// or rediss:// URL' })
        .nullish(),
    }),
    provisioning: z.strictObject({ file: optionalText(), applyOnStart: flag() }),
    log: z.strictObject({
      level: z.enum(logLevels, { error: `expected one of ${logLevels.join(', ')}` }),
    }),
    scheduler: z.strictObject({ enabled: flag() }),
    calls: z.strictObject({
      trunks: z.array(trunk, { error: 'expected a list of trunks' }),
      forwardingHistory: z.enum(forwardingHistoryHeaders, {
        error: `expected one of ${forwardingHistoryHeaders.join(', ')}`,
      }),
      maxForwardingHops: integer(1, 20),
      unreachableTimeout: millis(),
    }),
    media: z.strictObject({
      bindAddress: text(),
      /** `auto`: sip.advertisedHost once that is resolved. */
      advertisedAddress: text(),
      rtpPortMin: port(),
      rtpPortMax: port(),
    }),
    announcements: z.strictObject({
      language: z.enum(announcementLanguages, {
        error: `expected one of ${announcementLanguages.join(', ')}`,
      }),
    }),
    mail: z.strictObject({
      transport: z.enum(mailTransports, { error: `expected one of ${mailTransports.join(', ')}` }),
      from: text().regex(mailbox, { error: 'expected addr@host or Name <addr@host>' }),
      /** Absent: `<dataDir>/outbox`. */
      outboxDir: optionalText(),
      smtp: z.strictObject({
        host: text(),
        port: port(),
        /** TLS from the first byte (port 465); false still upgrades with STARTTLS when offered. */
        secure: flag(),
        user: optionalText(),
        password: optionalText(),
      }),
      language: z.enum(mailLanguages, { error: `expected one of ${mailLanguages.join(', ')}` }),
      maxAttempts: integer(1, 100),
      retryBaseSeconds: integer(1, 3600),
    }),
    voicemail: z.strictObject({
      /** SPEC §3.11: the message centre number users dial to listen. */
      centreNumber: digits(),
      maxMessageSeconds: integer(5, 3600),
      silenceSeconds: integer(1, 60),
      pinMaxFailures: integer(1, 100),
      pinLockMinutes: integer(1, 7 * 24 * 60),
      /** Absent: `<dataDir>/voicemail`. */
      storeDir: optionalText(),
    }),
  })
  .superRefine((c, ctx) => {
    for (const name of ['tls', 'wss'] as const) {
      const t = c.sip[name];
      if (!t.enabled) continue;
      for (const key of ['certFile', 'keyFile'] as const) {
        if (!t[key])
          ctx.addIssue({
            code: 'custom',
            path: ['sip', name, key],
            message: `required when sip.${name}.enabled is true`,
          });
      }
    }
    if (c.state.driver === 'redis' && !c.state.redisUrl) {
      ctx.addIssue({
        code: 'custom',
        path: ['state', 'redisUrl'],
        message: 'required when state.driver is redis',
      });
    }
    const r = c.registrar;
    if (r.minExpires > r.maxExpires) {
      ctx.addIssue({
        code: 'custom',
        path: ['registrar', 'minExpires'],
        message: 'must not exceed registrar.maxExpires',
      });
    }
    if (r.defaultExpires < r.minExpires || r.defaultExpires > r.maxExpires) {
      ctx.addIssue({
        code: 'custom',
        path: ['registrar', 'defaultExpires'],
        message: 'must lie between registrar.minExpires and registrar.maxExpires',
      });
    }
    const m = c.media;
    if (m.rtpPortMin > m.rtpPortMax) {
      ctx.addIssue({
        code: 'custom',
        path: ['media', 'rtpPortMin'],
        message: 'must not exceed media.rtpPortMax',
      });
    }
    // RFC 3550 §11: RTP on an even port, RTCP on the odd one above.
    if (m.rtpPortMin % 2 !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['media', 'rtpPortMin'],
        message: 'must be even (RTP uses even ports)',
      });
    }
    if (Boolean(c.api.operatorLogin) !== Boolean(c.api.operatorPassword)) {
      const [set, missing] = c.api.operatorLogin
        ? ['operatorLogin', 'operatorPassword']
        : ['operatorPassword', 'operatorLogin'];
      ctx.addIssue({
        code: 'custom',
        path: ['api', set],
        message: `needs api.${missing} as well`,
      });
    }
    const smtp = c.mail.smtp;
    if (Boolean(smtp.user) !== Boolean(smtp.password)) {
      // Reported at the key that was set, so the message names where it came from.
      const [set, missing] = smtp.user ? ['user', 'password'] : ['password', 'user'];
      ctx.addIssue({
        code: 'custom',
        path: ['mail', 'smtp', set],
        message: `needs mail.smtp.${missing} as well`,
      });
    }
    if (c.voicemail.silenceSeconds >= c.voicemail.maxMessageSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['voicemail', 'silenceSeconds'],
        message: 'must be less than voicemail.maxMessageSeconds',
      });
    }
    if (c.sip.timers.t1 > c.sip.timers.t2) {
      ctx.addIssue({
        code: 'custom',
        path: ['sip', 'timers', 't1'],
        message: 'must not exceed sip.timers.t2',
      });
    }
  });

export type ConfigFile = z.infer<typeof configFileSchema>;
export type LogLevel = (typeof logLevels)[number];
export type DigestAlgorithm = (typeof digestAlgorithms)[number];
export type AnnouncementLanguage = (typeof announcementLanguages)[number];
export type MailTransport = (typeof mailTransports)[number];
export type MailLanguage = (typeof mailLanguages)[number];

type Transport = { enabled: boolean; port: number };
type SecureTransport = Transport & { certFile?: string; keyFile?: string };

/** The resolved configuration every service receives: no `auto`, absolute paths, a secret. */
export interface Config {
  server: { id: string };
  sip: {
    host: string;
    advertisedHost: string;
    domain: string;
    udp: Transport;
    tcp: Transport;
    tls: SecureTransport;
    ws: Transport;
    wss: SecureTransport;
    timers: { t1: number; t2: number; t4: number };
    userAgent: string;
    maxMessageSize: number;
    /** Seconds. */
    connectionIdleTimeout: number;
  };
  registrar: {
    minExpires: number;
    maxExpires: number;
    defaultExpires: number;
    maxContacts: number;
    udpKeepalive: { mode: 'options' | 'none'; interval: number };
  };
  auth: {
    algorithms: DigestAlgorithm[];
    nonceTtl: number;
    secret: string;
    /** True when no secret was configured and a random one was made for this process. */
    secretGenerated: boolean;
  };
  http: { port: number; host: string };
  /** REST API accounts bootstrapped from configuration (SPEC §4 operator). */
  api: { operatorLogin?: string; operatorPassword?: string; secureCookie: boolean };
  /** Absolute. */
  dataDir: string;
  database: { url: string };
  state: { driver: 'memory' | 'redis'; keyPrefix: string; redisUrl?: string };
  provisioning: { file?: string; applyOnStart: boolean };
  log: { level: LogLevel };
  /** Scheduled jobs (SPEC §3.2) in this process; safe on every server of a cluster. */
  scheduler: { enabled: boolean };
  calls: {
    trunks: Trunk[];
    forwardingHistory: ForwardingHistoryHeader;
    maxForwardingHops: number;
    /** Milliseconds without any response from a device before it counts as unreachable. */
    unreachableTimeout: number;
  };
  /** RTP for announcements (SPEC §5). */
  media: {
    bindAddress: string;
    /** Put in our SDP; never `auto` here. */
    advertisedAddress: string;
    /** Even; at most rtpPortMax. */
    rtpPortMin: number;
    rtpPortMax: number;
  };
  announcements: { language: AnnouncementLanguage };
  /** Notification e-mail (services/notifier; SPEC §3.11, §3.12). */
  mail: {
    transport: MailTransport;
    /** The From header. */
    from: string;
    /** Absolute; where the outbox transport writes `<id>-<kind>.eml`. */
    outboxDir: string;
    smtp: { host: string; port: number; secure: boolean; user?: string; password?: string };
    language: MailLanguage;
    /** Sends tried before a mail is marked failed. */
    maxAttempts: number;
    /** The first retry waits this long, each next one twice as long, at most an hour. */
    retryBaseSeconds: number;
  };
  /** SPEC §3.11 voicemail. */
  voicemail: {
    /** Digits only. */
    centreNumber: string;
    maxMessageSeconds: number;
    /** Silence that ends a recording. */
    silenceSeconds: number;
    /** Wrong PINs in a row before the box locks. */
    pinMaxFailures: number;
    pinLockMinutes: number;
    /** Absolute; recordings and greetings. */
    storeDir: string;
  };
}

export interface Trunk {
  name: string;
  address: string;
  /** Absent: any source port; where calls go, 5060. */
  port?: number;
  protocol: 'UDP' | 'TCP' | 'TLS';
  outbound: boolean;
}

export type ForwardingHistoryHeader = (typeof forwardingHistoryHeaders)[number];
