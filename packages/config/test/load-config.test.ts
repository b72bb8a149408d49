import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, repoRoot, type LoadConfigOptions } from '../src/index.ts';

const system = {
  hostname: () => 'box',
  pid: 42,
  networkInterfaces: () => ({
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
    eth0: [
      { address: 'fe80::1', family: 'IPv6', internal: false },
      { address: '198.51.100.7', family: 'IPv4', internal: false },
    ],
  }),
  randomSecret: () => 'random-secret',
};

const dir = mkdtempSync(join(tmpdir(), 'ipvoice-config-'));
let fileCount = 0;
function yamlFile(text: string): string {
  const path = join(dir, `c${++fileCount}.yaml`);
  writeFileSync(path, text);
  return path;
}

const load = (o: LoadConfigOptions = {}) => loadConfig({ env: {}, system, ...o });

function errorOf(t: import('ava').ExecutionContext, o: LoadConfigOptions): string {
  const err = t.throws(() => load(o), { instanceOf: ConfigError });
  return err?.message ?? '';
}

test('defaults come from config/default.yaml with auto values resolved', (t) => {
  const c = load();
  t.is(c.server.id, 'box-42');
  t.is(c.sip.host, '0.0.0.0');
  t.is(c.sip.advertisedHost, '198.51.100.7');
  t.is(c.sip.domain, 'ipvoice.local');
  t.deepEqual(c.sip.udp, { enabled: true, port: 5060 });
  t.deepEqual(c.sip.tcp, { enabled: true, port: 5060 });
  t.deepEqual(c.sip.tls, { enabled: false, port: 5061 });
  t.deepEqual(c.sip.ws, { enabled: false, port: 5066 });
  t.deepEqual(c.sip.wss, { enabled: false, port: 5067 });
  t.deepEqual(c.sip.timers, { t1: 500, t2: 4000, t4: 5000 });
  t.deepEqual(c.registrar, {
    minExpires: 60,
    maxExpires: 3600,
    defaultExpires: 3600,
    maxContacts: 10,
    udpKeepalive: { mode: 'options', interval: 25 },
  });
  t.deepEqual(c.auth, {
    algorithms: ['SHA-256', 'MD5'],
    nonceTtl: 300,
    secret: 'random-secret',
    secretGenerated: true,
  });
  t.deepEqual(c.http, { port: 8080, host: '0.0.0.0' });
  t.is(c.dataDir, join(repoRoot, 'var'));
  t.is(c.database.url, `sqlite:${join(repoRoot, 'var', 'ipvoice.sqlite')}`);
  t.deepEqual(c.state, { driver: 'memory', keyPrefix: 'ipvoice:' });
  t.deepEqual(c.provisioning, {
    file: join(repoRoot, 'provisioning/demo.yaml'),
    applyOnStart: true,
  });
  t.is(c.log.level, 'info');
});

test('defaults do not depend on the working directory', (t) => {
  t.is(load({ cwd: tmpdir() }).dataDir, join(repoRoot, 'var'));
});

test('advertisedHost falls back to 127.0.0.1 without an external IPv4 address', (t) => {
  const c = load({
    system: {
      ...system,
      networkInterfaces: () => ({ lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }] }),
    },
  });
  t.is(c.sip.advertisedHost, '127.0.0.1');
});

test('--config file is deep-merged over the defaults', (t) => {
  const f = yamlFile('sip:\n  udp: { port: 5070 }\nregistrar:\n  udpKeepalive: { mode: none }\n');
  const c = load({ argv: ['--config', f] });
  t.deepEqual(c.sip.udp, { enabled: true, port: 5070 });
  t.deepEqual(c.sip.tcp, { enabled: true, port: 5060 });
  t.deepEqual(c.registrar.udpKeepalive, { mode: 'none', interval: 25 });
});

test('--config=<file> form and CONFIG_FILE are read; --config wins over CONFIG_FILE', (t) => {
  const a = yamlFile('http: { port: 9001 }\n');
  const b = yamlFile('http: { port: 9002 }\n');
  t.is(load({ argv: [`--config=${a}`] }).http.port, 9001);
  t.is(load({ env: { CONFIG_FILE: b } }).http.port, 9002);
  t.is(load({ argv: ['--config', a], env: { CONFIG_FILE: b } }).http.port, 9001);
});

test('a relative --config path is taken from the working directory', (t) => {
  const f = yamlFile('log: { level: debug }\n');
  t.is(load({ argv: ['--config', f.slice(dir.length + 1)], cwd: dir }).log.level, 'debug');
});

test('files come after the defaults and before the --config file', (t) => {
  const extra = yamlFile('http: { port: 9100, host: 127.0.0.1 }\n');
  const chosen = yamlFile('http: { port: 9200 }\n');
  t.deepEqual(load({ files: [extra] }).http, { port: 9100, host: '127.0.0.1' });
  t.deepEqual(load({ files: [extra], argv: ['--config', chosen] }).http, {
    port: 9200,
    host: '127.0.0.1',
  });
});

test('environment overrides win over files', (t) => {
  const f = yamlFile('http: { port: 9200 }\nlog: { level: debug }\n');
  const c = load({ argv: ['--config', f], env: { HTTP_PORT: '9300', LOG_LEVEL: 'warn' } });
  t.is(c.http.port, 9300);
  t.is(c.log.level, 'warn');
});

test('SIP_PORT sets UDP and TCP, and TLS to the next port', (t) => {
  const c = load({ env: { SIP_PORT: '15060' } });
  t.is(c.sip.udp.port, 15060);
  t.is(c.sip.tcp.port, 15060);
  t.is(c.sip.tls.port, 15061);
});

test('SIP_PORT leaves a TLS port chosen in a file or variable alone', (t) => {
  const f = yamlFile('sip: { tls: { port: 5081 } }\n');
  t.is(load({ argv: ['--config', f], env: { SIP_PORT: '15060' } }).sip.tls.port, 5081);
  t.is(load({ env: { SIP_PORT: '15060', IPVOICE_SIP__TLS__PORT: '6001' } }).sip.tls.port, 6001);
});

test('named variables set their keys', (t) => {
  const c = load({
    env: {
      DATA_DIR: '/tmp/ipv-data',
      DATABASE_URL: 'postgres://u@h/db',
      PROVISIONING_FILE: 'provisioning/other.yaml',
      SIP_DOMAIN: 'example.org',
      SIP_ADVERTISED_HOST: '203.0.113.5',
      SERVER_ID: 'fs-9',
    },
  });
  t.is(c.dataDir, '/tmp/ipv-data');
  t.is(c.database.url, 'postgres://u@h/db');
  t.is(c.provisioning.file, join(repoRoot, 'provisioning/other.yaml'));
  t.is(c.sip.domain, 'example.org');
  t.is(c.sip.advertisedHost, '203.0.113.5');
  t.is(c.server.id, 'fs-9');
});

test('DATA_DIR moves the default SQLite file with it', (t) => {
  t.is(
    load({ env: { DATA_DIR: '/tmp/ipv-data' } }).database.url,
    'sqlite:/tmp/ipv-data/ipvoice.sqlite',
  );
});

test('relative sqlite: URLs are taken from the repository root', (t) => {
  t.is(
    load({ env: { DATABASE_URL: 'sqlite:var/x.sqlite' } }).database.url,
    `sqlite:${join(repoRoot, 'var/x.sqlite')}`,
  );
});

test('REDIS_URL sets the URL and selects the redis driver', (t) => {
  t.deepEqual(load({ env: { REDIS_URL: 'redis://127.0.0.1:6390' } }).state, {
    driver: 'redis',
    keyPrefix: 'ipvoice:',
    redisUrl: 'redis://127.0.0.1:6390',
  });
});

test('IPVOICE_<PATH> sets any key, coerced by the schema', (t) => {
  const c = load({
    env: {
      IPVOICE_REGISTRAR__MIN_EXPIRES: '120',
      IPVOICE_REGISTRAR__UDP_KEEPALIVE__INTERVAL: '15',
      IPVOICE_SIP__TLS__ENABLED: 'true',
      IPVOICE_SIP__TLS__CERT_FILE: '/etc/c.pem',
      IPVOICE_SIP__TLS__KEY_FILE: '/etc/k.pem',
      IPVOICE_AUTH__ALGORITHMS: 'MD5',
      IPVOICE_AUTH__SECRET: 's3cret',
      IPVOICE_SIP__UDP__ENABLED: 'no',
    },
  });
  t.is(c.registrar.minExpires, 120);
  t.is(c.registrar.udpKeepalive.interval, 15);
  t.deepEqual(c.sip.tls, {
    enabled: true,
    port: 5061,
    certFile: '/etc/c.pem',
    keyFile: '/etc/k.pem',
  });
  t.deepEqual(c.auth.algorithms, ['MD5']);
  t.is(c.auth.secret, 's3cret');
  t.false(c.auth.secretGenerated);
  t.false(c.sip.udp.enabled);
});

test('named variables win over IPVOICE_ ones for the same key', (t) => {
  t.is(load({ env: { IPVOICE_HTTP__PORT: '7000', HTTP_PORT: '7001' } }).http.port, 7001);
});

test('empty variables count as unset', (t) => {
  t.is(load({ env: { SIP_PORT: '', DATABASE_URL: '' } }).sip.udp.port, 5060);
});

test('a bad value names the key, the value and the variable', (t) => {
  t.is(
    errorOf(t, { env: { HTTP_PORT: 'abc' } }),
    'config: http.port: expected an integer 1-65535, got "abc" (from HTTP_PORT)',
  );
});

test('a bad SIP_PORT is reported for the keys it sets', (t) => {
  const msg = errorOf(t, { env: { SIP_PORT: 'abc' } });
  t.true(
    msg.includes('config: sip.udp.port: expected an integer 1-65535, got "abc" (from SIP_PORT)'),
  );
  t.true(
    msg.includes('config: sip.tcp.port: expected an integer 1-65535, got "abc" (from SIP_PORT)'),
  );
});

test('SIP_PORT 65535 pushes the TLS port out of range and says so', (t) => {
  t.is(
    errorOf(t, { env: { SIP_PORT: '65535' } }),
    'config: sip.tls.port: expected an integer 1-65535, got 65536 (from SIP_PORT)',
  );
});

test('a bad value in a file names the file', (t) => {
  const f = yamlFile('registrar: { maxContacts: 2.5 }\n');
  t.is(
    errorOf(t, { argv: ['--config', f] }),
    `config: registrar.maxContacts: expected an integer 1-1000, got 2.5 (from ${f})`,
  );
});

test('out-of-range numbers, bad enums and bad booleans are rejected', (t) => {
  t.regex(
    errorOf(t, { env: { IPVOICE_SIP__UDP__PORT: '0' } }),
    /sip\.udp\.port: expected an integer 1-65535, got "0"/,
  );
  t.regex(
    errorOf(t, { env: { LOG_LEVEL: 'loud' } }),
    /log\.level: expected one of fatal, .*, got "loud" \(from LOG_LEVEL\)/,
  );
  t.regex(
    errorOf(t, { env: { IPVOICE_SIP__WS__ENABLED: 'maybe' } }),
    /sip\.ws\.enabled: expected true or false, got "maybe"/,
  );
  t.regex(
    errorOf(t, { env: { IPVOICE_AUTH__ALGORITHMS: 'SHA-1' } }),
    /auth\.algorithms\.0: expected one of SHA-256, MD5/,
  );
  t.regex(
    errorOf(t, { env: { DATABASE_URL: 'mysql://x' } }),
    /database\.url: expected a sqlite:<path> or postgres:\/\/ URL/,
  );
});

test('unknown keys are errors, named with their source', (t) => {
  const f = yamlFile('sip:\n  udpp: { port: 5070 }\n');
  t.is(errorOf(t, { argv: ['--config', f] }), `config: sip.udpp: unknown key (from ${f})`);
  t.is(
    errorOf(t, { env: { IPVOICE_REGISTRAR__MIN_EXPIRE: '5' } }),
    'config: registrar.minExpire: unknown key (from IPVOICE_REGISTRAR__MIN_EXPIRE)',
  );
});

test('an IPVOICE_ variable that maps to no key is an error', (t) => {
  t.is(
    errorOf(t, { env: { IPVOICE_SIP____PORT: '1' } }),
    'config: cannot map IPVOICE_SIP____PORT to a key (use IPVOICE_<SECTION>__<KEY>) (from IPVOICE_SIP____PORT)',
  );
});

test('every problem is reported, one per line', (t) => {
  const err = t.throws(() => load({ env: { HTTP_PORT: 'x', LOG_LEVEL: 'y' } }), {
    instanceOf: ConfigError,
  });
  t.deepEqual(err?.issues.map((i) => i.key).sort(), ['http.port', 'log.level']);
  t.is(err?.message.split('\n').length, 2);
});

test('TLS enabled without certificate files is an error', (t) => {
  const msg = errorOf(t, { env: { IPVOICE_SIP__TLS__ENABLED: 'true' } });
  t.true(msg.includes('config: sip.tls.certFile: required when sip.tls.enabled is true'));
  t.true(msg.includes('config: sip.tls.keyFile: required when sip.tls.enabled is true'));
});

test('the redis driver without a URL is an error', (t) => {
  t.regex(
    errorOf(t, { env: { IPVOICE_STATE__DRIVER: 'redis' } }),
    /state\.redisUrl: required when state\.driver is redis/,
  );
});

test('registrar expiries must be ordered', (t) => {
  t.regex(
    errorOf(t, { env: { IPVOICE_REGISTRAR__MIN_EXPIRES: '4000' } }),
    /registrar\.minExpires: must not exceed registrar\.maxExpires/,
  );
  t.regex(
    errorOf(t, { env: { IPVOICE_REGISTRAR__DEFAULT_EXPIRES: '30' } }),
    /registrar\.defaultExpires: must lie between/,
  );
});

test('a missing --config file is an error naming it', (t) => {
  t.regex(
    errorOf(t, { argv: ['--config', '/nonexistent/x.yaml'] }),
    /^config: cannot read \/nonexistent\/x\.yaml: ENOENT \(from \/nonexistent\/x\.yaml\)$/,
  );
});

test('--config without a file name is an error', (t) => {
  t.is(errorOf(t, { argv: ['--config'] }), 'config: --config needs a file name (from --config)');
});

test('invalid YAML and a non-mapping document are errors', (t) => {
  t.regex(errorOf(t, { argv: ['--config', yamlFile('sip: [unclosed\n')] }), /not valid YAML/);
  t.regex(
    errorOf(t, { argv: ['--config', yamlFile('- a\n- b\n')] }),
    /expected a mapping of keys at the top level/,
  );
});

test('an empty --config file changes nothing', (t) => {
  t.is(load({ argv: ['--config', yamlFile('')] }).sip.udp.port, 5060);
});

test('a missing required key in the defaults is reported', (t) => {
  const defaults = yamlFile('server: { id: x }\n');
  const msg = errorOf(t, { defaultsFile: defaults });
  t.regex(msg, /config: sip: .*got nothing/);
});

test('the production example file is valid', (t) => {
  const c = load({ argv: ['--config', join(repoRoot, 'config/production.example.yaml')] });
  t.is(c.state.driver, 'redis');
  t.true(c.database.url.startsWith('postgres://'));
  t.true(c.sip.tls.enabled);
  t.false(c.auth.secretGenerated);
});

test('media and announcements have defaults; media.advertisedAddress auto follows the SIP host', (t) => {
  const c = load();
  t.deepEqual(c.media, {
    bindAddress: '0.0.0.0',
    advertisedAddress: '198.51.100.7',
    rtpPortMin: 20000,
    rtpPortMax: 29999,
  });
  t.deepEqual(c.announcements, { language: 'ja' });
  t.is(
    load({ env: { SIP_ADVERTISED_HOST: '203.0.113.5' } }).media.advertisedAddress,
    '203.0.113.5',
  );
  const own = load({
    env: {
      SIP_ADVERTISED_HOST: '203.0.113.5',
      IPVOICE_MEDIA__ADVERTISED_ADDRESS: '203.0.113.9',
      IPVOICE_MEDIA__RTP_PORT_MIN: '30000',
      IPVOICE_MEDIA__RTP_PORT_MAX: '30001',
      IPVOICE_ANNOUNCEMENTS__LANGUAGE: 'en',
    },
  });
  t.is(own.media.advertisedAddress, '203.0.113.9');
  t.is(own.media.rtpPortMin, 30000);
  t.is(own.media.rtpPortMax, 30001);
  t.is(own.announcements.language, 'en');
});

test('the RTP port range must be ordered and start even; the language must be known', (t) => {
  t.is(
    errorOf(t, { env: { IPVOICE_MEDIA__RTP_PORT_MIN: '30000' } }),
    'config: media.rtpPortMin: must not exceed media.rtpPortMax (from IPVOICE_MEDIA__RTP_PORT_MIN)',
  );
  t.is(
    errorOf(t, { env: { IPVOICE_MEDIA__RTP_PORT_MIN: '20001' } }),
    'config: media.rtpPortMin: must be even (RTP uses even ports) (from IPVOICE_MEDIA__RTP_PORT_MIN)',
  );
  t.regex(
    errorOf(t, { env: { IPVOICE_MEDIA__RTP_PORT_MAX: '70000' } }),
    /media\.rtpPortMax: expected an integer 1-65535, got "70000"/,
  );
  t.is(
    errorOf(t, { env: { IPVOICE_ANNOUNCEMENTS__LANGUAGE: 'fr' } }),
    'config: announcements.language: expected one of ja, en, got "fr" (from IPVOICE_ANNOUNCEMENTS__LANGUAGE)',
  );
});

test('mail and voicemail have defaults; their folders follow dataDir', (t) => {
  const c = load();
  t.deepEqual(c.mail, {
    transport: 'outbox',
    from: 'IP Voice <noreply@ipvoice.local>',
    outboxDir: join(repoRoot, 'var', 'outbox'),
    smtp: { host: '127.0.0.1', port: 25, secure: false },
    language: 'ja',
    maxAttempts: 8,
    retryBaseSeconds: 30,
  });
  t.deepEqual(c.voicemail, {
    centreNumber: '1417',
    maxMessageSeconds: 120,
    silenceSeconds: 5,
    pinMaxFailures: 3,
    pinLockMinutes: 15,
    storeDir: join(repoRoot, 'var', 'voicemail'),
  });
  const moved = load({ env: { DATA_DIR: '/tmp/ipv-data' } });
  t.is(moved.mail.outboxDir, '/tmp/ipv-data/outbox');
  t.is(moved.voicemail.storeDir, '/tmp/ipv-data/voicemail');
});

test('mail and voicemail keys are set from files and the environment', (t) => {
  const f = yamlFile(
    [
      'mail:',
      '  transport: smtp',
      '  from: noreply@example.net',
      '  outboxDir: var/mail-out',
      '  smtp: { host: smtp.example.net, port: 465, secure: true, user: u }',
      'voicemail: { centreNumber: "0120", storeDir: /srv/vm }',
      '',
    ].join('\n'),
  );
  const c = load({
    argv: ['--config', f],
    env: {
      IPVOICE_MAIL__SMTP__PASSWORD: 'pw',
      IPVOICE_MAIL__LANGUAGE: 'en',
      IPVOICE_MAIL__MAX_ATTEMPTS: '3',
      IPVOICE_MAIL__RETRY_BASE_SECONDS: '1',
      IPVOICE_VOICEMAIL__MAX_MESSAGE_SECONDS: '60',
      IPVOICE_VOICEMAIL__SILENCE_SECONDS: '3',
      IPVOICE_VOICEMAIL__PIN_MAX_FAILURES: '5',
      IPVOICE_VOICEMAIL__PIN_LOCK_MINUTES: '30',
    },
  });
  t.deepEqual(c.mail, {
    transport: 'smtp',
    from: 'noreply@example.net',
    outboxDir: join(repoRoot, 'var/mail-out'),
    smtp: { host: 'smtp.example.net', port: 465, secure: true, user: 'u', password: 'pw' },
    language: 'en',
    maxAttempts: 3,
    retryBaseSeconds: 1,
  });
  t.deepEqual(c.voicemail, {
    centreNumber: '0120',
    maxMessageSeconds: 60,
    silenceSeconds: 3,
    pinMaxFailures: 5,
    pinLockMinutes: 30,
    storeDir: '/srv/vm',
  });
  t.is(load({ env: { IPVOICE_VOICEMAIL__CENTRE_NUMBER: '0570' } }).voicemail.centreNumber, '0570');
});

test('bad mail settings are rejected with their key', (t) => {
  t.is(
    errorOf(t, { env: { IPVOICE_MAIL__TRANSPORT: 'sendmail' } }),
    'config: mail.transport: expected one of outbox, smtp, got "sendmail" (from IPVOICE_MAIL__TRANSPORT)',
  );
  t.is(
    errorOf(t, { env: { IPVOICE_MAIL__FROM: 'IP Voice <noreply>' } }),
    'config: mail.from: expected addr@host or Name <addr@host>, got "IP Voice <noreply>" (from IPVOICE_MAIL__FROM)',
  );
  t.regex(errorOf(t, { env: { IPVOICE_MAIL__FROM: 'noreply' } }), /mail\.from: expected addr@host/);
  t.regex(
    errorOf(t, { env: { IPVOICE_MAIL__LANGUAGE: 'fr' } }),
    /mail\.language: expected one of ja, en, got "fr"/,
  );
  t.regex(
    errorOf(t, { env: { IPVOICE_MAIL__MAX_ATTEMPTS: '0' } }),
    /mail\.maxAttempts: expected an integer 1-100, got "0"/,
  );
  t.regex(
    errorOf(t, { env: { IPVOICE_MAIL__RETRY_BASE_SECONDS: '1.5' } }),
    /mail\.retryBaseSeconds: expected an integer 1-3600, got "1.5"/,
  );
  t.regex(
    errorOf(t, { env: { IPVOICE_MAIL__SMTP__PORT: '70000' } }),
    /mail\.smtp\.port: expected an integer 1-65535/,
  );
  t.regex(
    errorOf(t, { env: { IPVOICE_MAIL__SMTP__SECURE: 'tls' } }),
    /mail\.smtp\.secure: expected true or false, got "tls"/,
  );
  t.is(
    errorOf(t, { env: { IPVOICE_MAIL__SMTP__USER: 'u' } }),
    'config: mail.smtp.user: needs mail.smtp.password as well (from IPVOICE_MAIL__SMTP__USER)',
  );
  t.regex(
    errorOf(t, { env: { IPVOICE_MAIL__SMTP__PASSWORD: 'pw' } }),
    /mail\.smtp\.password: needs mail\.smtp\.user as well \(from IPVOICE_MAIL__SMTP__PASSWORD\)/,
  );
  t.is(
    errorOf(t, { argv: ['--config', yamlFile('mail: { smtp: { tls: true } }\n')] }).split(' (')[0],
    'config: mail.smtp.tls: unknown key',
  );
});

test('bad voicemail settings are rejected with their key', (t) => {
  for (const centre of ['14-17', 'abc', '1234567890123456']) {
    t.regex(
      errorOf(t, { env: { IPVOICE_VOICEMAIL__CENTRE_NUMBER: centre } }),
      /voicemail\.centreNumber: expected 1-15 digits/,
    );
  }
  t.regex(
    errorOf(t, { argv: ['--config', yamlFile('voicemail: { centreNumber: 1417 }\n')] }),
    /voicemail\.centreNumber: expected a string of digits \(quote it in YAML\), got 1417/,
  );
  t.regex(
    errorOf(t, { env: { IPVOICE_VOICEMAIL__MAX_MESSAGE_SECONDS: '4' } }),
    /voicemail\.maxMessageSeconds: expected an integer 5-3600, got "4"/,
  );
  t.is(
    errorOf(t, {
      env: {
        IPVOICE_VOICEMAIL__SILENCE_SECONDS: '60',
        IPVOICE_VOICEMAIL__MAX_MESSAGE_SECONDS: '60',
      },
    }),
    'config: voicemail.silenceSeconds: must be less than voicemail.maxMessageSeconds (from IPVOICE_VOICEMAIL__SILENCE_SECONDS)',
  );
  t.regex(
    errorOf(t, { env: { IPVOICE_VOICEMAIL__PIN_MAX_FAILURES: '0' } }),
    /voicemail\.pinMaxFailures: expected an integer 1-100/,
  );
  t.regex(
    errorOf(t, { env: { IPVOICE_VOICEMAIL__PIN_LOCK_MINUTES: 'soon' } }),
    /voicemail\.pinLockMinutes: expected an integer 1-10080, got "soon"/,
  );
});
