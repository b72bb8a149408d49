import { findForwardingSetting, listSettingHistory, type Database, type Kysely } from '@ipvoice/db';
import { settingMessages, targetMessages } from '@ipvoice/features';
import { settingsChangedChannel, type StateStore } from '@ipvoice/state';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import {
  assertForwardingEditAllowed,
  claimSites,
  downloadForwardingCsv,
  exportForwardingCsv,
  ForwardingCsvConflictError,
  type ForwardingCsvDeps,
  ForwardingCsvFormatError,
  importForwardingCsv,
  type Logger,
  uploadMessages,
} from '../src/index.ts';
import { eachSetup } from './helpers/matrix.ts';
import { noAnswerToSlot1, now, seed } from './helpers/seed.ts';

const setupTest = eachSetup();
const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const bom = Buffer.from([0xef, 0xbb, 0xbf]);

function depsOf(db: Kysely<Database>, state: StateStore): ForwardingCsvDeps {
  return { db, state, logger: silent };
}

/** Subscribes another server's store; `messages` collects every settings-changed message. */
async function listen(store: StateStore): Promise<string[]> {
  const messages: string[] = [];
  await store.subscribe(settingsChangedChannel, (m) => messages.push(m));
  return messages;
}

/** Lets queued pub/sub deliveries arrive (memory: microtasks; Redis: a round trip). */
async function settle(store: StateStore): Promise<void> {
  await store.publish('flush', '');
  await new Promise((r) => setImmediate(r));
  await store.lockOwner('flush');
}

const csvRecords = (file: Buffer) => parse(file.subarray(3).toString('utf8')) as string[][];

const header = [
  'number',
  'forwarding',
  'unconditional',
  'busy',
  'no_answer',
  'unreachable',
  'ring_time',
  'target1',
  'target2',
  'target3',
  'target4',
  'target5',
  'active_target',
];

setupTest(
  'download: UTF-8 with BOM, a header, one row per number, special-number forwarding left out',
  async (t, { db }) => {
    const s = await seed(db);
    const file = await exportForwardingCsv(db, { numberIds: Object.values(s.ids) });
    t.deepEqual(file.subarray(0, 3), bom);
    t.true(file.toString('utf8').includes('\r\n'), 'CRLF line ends for Excel');
    t.deepEqual(csvRecords(file), [
      header,
      ['0312340001', 'on', 'off', 'off', 'on', 'off', '15', '0311112222', '', '', '', '', '1'],
      ['0312340002', 'off', 'off', 'off', 'off', 'off', '20', '', '', '', '', '', ''],
      [
        '0312340004',
        'on',
        'off',
        'off',
        'on',
        'off',
        '15',
        '0311112222',
        '',
        '',
        '',
        '0922223333',
        '1',
      ],
      ['0312340005', 'off', 'off', 'off', 'off', 'off', '20', '', '', '', '', '', ''],
      ['0612340001', 'off', 'off', 'off', 'off', 'off', '20', '', '', '', '', '', ''],
    ]);
    const ja = await exportForwardingCsv(db, {
      numberIds: [s.ids['0312340001'] ?? 0],
      headers: 'ja',
    });
    t.deepEqual(csvRecords(ja)[1]?.slice(0, 3), ['0312340001', 'する', 'しない']);
    t.is(csvRecords(ja)[0]?.[0], 'IP電話番号');
  },
);

setupTest(
  'round trip: good rows applied with history and one notice, each bad row refused with its reason',
  async (t, { db, openState }) => {
    const s = await seed(db);
    const featureServer = openState();
    const messages = await listen(featureServer);
    const deps = depsOf(db, openState());
    const hq = Object.entries(s.ids)
      .filter(([n]) => n.startsWith('03'))
      .map(([, id]) => id);
    const downloaded = csvRecords(await exportForwardingCsv(db, { numberIds: hq }));
    const byNumber = new Map(downloaded.slice(1).map((r) => [r[0], [...r]]));
    const row = (number: string) => byNumber.get(number) ?? [];
    // 0312340001: busy and no answer, 25 s, a new slot 2 (written with hyphens) active.
    const good = row('0312340001');
    good.splice(3, 4, 'on', 'on', 'off', '25');
    good[8] = '090-1234-5678';
    good[12] = '2';
    // 0312340002: a toll-free target is refused with the validator's message.
    const tollFree = row('0312340002');
    tollFree.splice(1, 2, 'on', 'on');
    tollFree[7] = '0120-123-456';
    tollFree[12] = '1';
    // 0312340004: its line has bulk forwarding, so slot 5 may not be emptied.
    const bulk = row('0312340004');
    bulk[11] = '';
    const edited = [
      header,
      good,
      tollFree,
      ['0399999999', 'off', 'off', 'off', 'off', 'off', '20', '', '', '', '', '', ''],
      bulk,
      [...good.slice(0, 8), '0312345678', ...good.slice(9)],
      ['0612340001', 'off', 'off', 'off', 'off', 'off', '20', '', '', '', '', '', ''],
      ['0312340003', 'on', 'on', 'off', 'off', 'off', '20', '0311112222', '', '', '', '', '1'],
      [...row('0312340005')],
    ];
    const csv = Buffer.concat([bom, Buffer.from(stringify(edited), 'utf8')]);
    const result = await importForwardingCsv(deps, {
      csv,
      actor: 'admin-tanaka',
      scopeNumberIds: hq,
      now,
    });

    t.is(result.encoding, 'utf-8');
    t.deepEqual(result.rows, [
      { line: 2, number: '0312340001', result: 'ok' },
      {
        line: 3,
        number: '0312340002',
        result: 'error',
        reason: settingMessages.slot(1, targetMessages.tollFree('0120')),
      },
      {
        line: 4,
        number: '0399999999',
        result: 'error',
        reason: uploadMessages.notFound('0399999999'),
      },
      { line: 5, number: '0312340004', result: 'error', reason: settingMessages.bulkSlot5 },
      {
        line: 6,
        number: '0312340001',
        result: 'error',
        reason: uploadMessages.duplicate('0312340001', 2),
      },
      {
        line: 7,
        number: '0612340001',
        result: 'error',
        reason: uploadMessages.notFound('0612340001'),
      },
      {
        line: 8,
        number: '0312340003',
        result: 'error',
        reason: uploadMessages.specialForwarding('0312340003'),
      },
      { line: 9, number: '0312340005', result: 'ok' },
    ]);
    t.is(result.applied, 2);
    t.is(result.failed, 6);
    t.deepEqual(result.changed, ['0312340001'], 'an unchanged row is ok but not a change');

    const stored = await findForwardingSetting(db, s.ids['0312340001'] ?? 0);
    const after = {
      ...noAnswerToSlot1,
      onBusy: true,
      ringTimeSeconds: 25,
      activeTarget: 'slot2' as const,
      slots: ['0311112222', '09012345678', null, null, null] as typeof noAnswerToSlot1.slots,
    };
    t.deepEqual(stored, after, 'stored as digits');
    t.is(await findForwardingSetting(db, s.ids['0312340002'] ?? 0), undefined);
    const history = await listSettingHistory(db, { siteId: s.siteId });
    t.is(history.length, 1);
    t.like(history[0], {
      numberId: s.ids['0312340001'],
      voiceGroupId: s.voiceGroupId,
      actor: 'admin-tanaka',
      feature: 'forwarding',
      action: 'csv_upload',
      before: noAnswerToSlot1,
      after,
    });

    await settle(featureServer);
    t.deepEqual(messages, ['0312340001'], 'one notice naming the changed numbers');

    const report = result.resultCsv;
    t.deepEqual(report.subarray(0, 3), bom);
    const lines = parse(report.subarray(3).toString('utf8')) as string[][];
    t.deepEqual(lines[0], ['line', 'number', 'result', 'reason']);
    t.deepEqual(lines[2], [
      '3',
      '0312340002',
      'error',
      settingMessages.slot(1, targetMessages.tollFree('0120')),
    ]);
    t.is(lines.length, 9);
  },
);

setupTest(
  "Shift_JIS upload with the manual's Japanese headers and words; UTF-8 without BOM too",
  async (t, { db, openState }) => {
    const s = await seed(db);
    const deps = depsOf(db, openState());
    const scope = Object.values(s.ids);
    const ja = [
      'IP電話番号,転送設定,無条件転送,話中時転送,無応答転送,不通時転送,呼出時間,転送先1,転送先2,転送先3,転送先4,転送先5,転送先設定',
      '0312340001,する,する,しない,しない,しない,,0311112222,,,,,留守番録音',
      '0312340002,する,しない,しない,しない,する,10,010-1-212-5550123,,,,,1',
      '0312340005,する,しない,しない,しない,する,10,010-1-212-5550123,,,,,1',
    ].join('\r\n');
    const sjis = iconv.encode(ja, 'cp932');
    t.not(sjis.toString('utf8'), ja, 'really Shift_JIS bytes');
    const result = await importForwardingCsv(deps, {
      csv: sjis,
      actor: 'admin-suzuki',
      scopeNumberIds: scope,
      now,
    });
    t.is(result.encoding, 'shift_jis');
    t.deepEqual(
      result.rows.map((r) => [r.line, r.result, r.reason]),
      [
        [2, 'ok', undefined],
        [3, 'ok', undefined],
        [4, 'error', settingMessages.slot(1, targetMessages.internationalBarred)],
      ],
    );
    t.like(await findForwardingSetting(db, s.ids['0312340001'] ?? 0), {
      unconditional: true,
      onNoAnswer: false,
      ringTimeSeconds: 15,
      activeTarget: 'voicemail',
    });
    t.like(await findForwardingSetting(db, s.ids['0312340002'] ?? 0), {
      onUnreachable: true,
      slots: ['01012125550123', null, null, null, null],
    });

    const plain = `${header.join(',')}\n0312340002,off,off,off,off,off,,,,,,,\n`;
    const again = await importForwardingCsv(deps, {
      csv: Buffer.from(plain, 'utf8'),
      actor: 'admin-suzuki',
      scopeNumberIds: scope,
      now,
    });
    t.is(again.encoding, 'utf-8');
    t.deepEqual(again.rows, [{ line: 2, number: '0312340002', result: 'ok' }]);
    t.like(await findForwardingSetting(db, s.ids['0312340002'] ?? 0), {
      enabled: false,
      ringTimeSeconds: 10,
      slots: [null, null, null, null, null],
    });
  },
);

setupTest('a file that is not a forwarding CSV is refused whole', async (t, { db, openState }) => {
  const s = await seed(db);
  const deps = depsOf(db, openState());
  const upload = (text: string) =>
    importForwardingCsv(deps, {
      csv: Buffer.from(text, 'utf8'),
      actor: 'a',
      scopeNumberIds: Object.values(s.ids),
      now,
    });
  await t.throwsAsync(upload(''), { instanceOf: ForwardingCsvFormatError });
  await t.throwsAsync(upload('number,forwarding,colour\n'), {
    instanceOf: ForwardingCsvFormatError,
    message: /column "colour"/,
  });
  await t.throwsAsync(upload('number,forwarding\n'), {
    instanceOf: ForwardingCsvFormatError,
    message: /lacks the columns unconditional, busy/,
  });
  t.deepEqual(await listSettingHistory(db, {}), []);
});

/**
 * A state store whose settings-changed publish waits for `release()`: the upload has then
 * applied its rows and still holds its site lock, outside any transaction (so SQLite's one
 * connection stays free). `reached` resolves when it got there.
 */
function pausedAtPublish(state: StateStore) {
  let release!: () => void;
  let reach!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const reached = new Promise<void>((r) => (reach = r));
  const paused: ForwardingCsvDeps['state'] = {
    tryLock: (...args) => state.tryLock(...args),
    lockOwner: (name) => state.lockOwner(name),
    publish: async (channel, message) => {
      reach();
      await gate;
      await state.publish(channel, message);
    },
  };
  return { state: paused, reached, release };
}

setupTest(
  'while an upload runs on a site, another upload, a download and an edit of its numbers are refused',
  async (t, { db, openState }) => {
    const s = await seed(db);
    const scope = Object.values(s.ids);
    const pause = pausedAtPublish(openState());
    const first = importForwardingCsv(
      { db, state: pause.state, logger: silent },
      {
        csv: Buffer.from(`${header.join(',')}\n0312340002,off,off,off,off,off,12,,,,,,\n`),
        actor: 'admin-sato',
        scopeNumberIds: scope,
        now,
      },
    );
    await pause.reached; // the first upload has applied its row and still holds the site

    const other = depsOf(db, openState());
    const expected =
      'Another CSV upload is running for this site (started by admin-sato at 2025-11-23T09:00:00.000Z); try again when it has finished.';
    const second = await t.throwsAsync(
      importForwardingCsv(other, {
        csv: Buffer.from(`${header.join(',')}\n0312340001,off,off,off,off,off,12,,,,,,\n`),
        actor: 'admin-kato',
        scopeNumberIds: scope,
        now,
      }),
      { instanceOf: ForwardingCsvConflictError, message: expected },
    );
    t.is(second?.siteId, s.siteId);
    await t.throwsAsync(
      downloadForwardingCsv(other, {
        numberIds: [s.ids['0312340005'] ?? 0],
        actor: 'admin-kato',
        now,
      }),
      { instanceOf: ForwardingCsvConflictError, message: expected },
    );
    // Another site is free.
    const branch = await downloadForwardingCsv(other, {
      numberIds: [s.ids['0612340001'] ?? 0],
      actor: 'admin-kato',
      now,
    });
    t.is(csvRecords(branch).length, 2);
    // A forwarding edit: refused on a number being uploaded, allowed on the others.
    await t.throwsAsync(
      assertForwardingEditAllowed(other.state, {
        siteId: s.siteId,
        numberId: s.ids['0312340002'] ?? 0,
      }),
      {
        instanceOf: ForwardingCsvConflictError,
        message:
          "This number's forwarding is being changed by a CSV upload (started by admin-sato at 2025-11-23T09:00:00.000Z); try again when it has finished.",
      },
    );
    await assertForwardingEditAllowed(other.state, {
      siteId: s.siteId,
      numberId: s.ids['0312340001'] ?? 0,
    });

    pause.release();
    t.is((await first).applied, 1);
    // Once it has finished, the site is free again.
    await assertForwardingEditAllowed(other.state, {
      siteId: s.siteId,
      numberId: s.ids['0312340002'] ?? 0,
    });
    const later = await importForwardingCsv(other, {
      csv: Buffer.from(`${header.join(',')}\n0312340001,off,off,off,off,off,12,,,,,,\n`),
      actor: 'admin-kato',
      scopeNumberIds: scope,
      now,
    });
    t.is(later.applied, 1);
  },
);

setupTest(
  'a bulk start holding the site (as forwarding-ops must claim it) refuses an upload, and the reverse',
  async (t, { db, openState }) => {
    const s = await seed(db);
    const ops = openState();
    const release = await claimSites(ops, [s.siteId], {
      operation: 'bulk-start',
      actor: 'admin-ito',
      at: now,
      numberIdsBySite: new Map([[s.siteId, [s.ids['0312340004'] ?? 0]]]),
    });
    const deps = depsOf(db, openState());
    await t.throwsAsync(
      importForwardingCsv(deps, {
        csv: Buffer.from(`${header.join(',')}\n0312340001,off,off,off,off,off,12,,,,,,\n`),
        actor: 'admin-kato',
        scopeNumberIds: Object.values(s.ids),
        now,
      }),
      {
        instanceOf: ForwardingCsvConflictError,
        message:
          'Another bulk-forwarding start is running for this site (started by admin-ito at 2025-11-23T09:00:00.000Z); try again when it has finished.',
      },
    );
    await release();
    t.is(await ops.lockOwner(`forwarding:site:${s.siteId}`), undefined);
  },
);
