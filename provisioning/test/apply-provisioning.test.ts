import { fileURLToPath } from 'node:url';
import test from 'ava';
import {
  findCredentialByUsername,
  findForwardingSetting,
  findHuntGroupByNumber,
  findNumber,
  findNumberSetting,
  listMails,
  listSubscriptions,
} from '@ipvoice/db';
import { ProvisioningError, applyProvisioning } from '../src/apply-provisioning.ts';
import { loadProvisioningFile } from '../src/load-provisioning-file.ts';
import type { ProvisioningDocument } from '../src/schema.ts';
import { testDialects } from './dialects.ts';

const demoPath = fileURLToPath(new URL('../demo.yaml', import.meta.url));
const now = new Date('2025-11-23T09:00:00.000Z');

async function demo(): Promise<ProvisioningDocument> {
  const loaded = await loadProvisioningFile(demoPath);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.document;
}

const totals = (report: Record<string, { created: number; updated: number; unchanged: number }>) =>
  Object.values(report).reduce(
    (sum, r) => ({
      created: sum.created + r.created,
      updated: sum.updated + r.updated,
      unchanged: sum.unchanged + r.unchanged,
    }),
    { created: 0, updated: 0, unchanged: 0 },
  );

for (const dialect of testDialects()) {
  test(`${dialect.name}: the demo tenant applies and its credentials reach the registrar`, async (t) => {
    const db = await dialect.open();
    try {
      const report = await applyProvisioning(db, await demo(), { now });
      t.deepEqual(report.numbers, { created: 4, updated: 0, unchanged: 0 });
      t.deepEqual(report.sipCredentials, { created: 3, updated: 0, unchanged: 0 });
      const credential = await findCredentialByUsername(db, 'demo0100');
      t.is(credential?.number, '0355550100');
      t.is(credential?.password, 'demo-pass-0100');
      const dialIn = await findNumber(db, '0355550109');
      t.is(dialIn?.kind, 'dial_in');
      t.is(dialIn?.channels, 4);
      const base = await findNumber(db, '0355550100');
      t.is(dialIn?.baseNumberId, base?.id);
      const forwarding = await findForwardingSetting(db, base?.id ?? -1);
      t.deepEqual(forwarding?.slots, ['05055550200', null, null, null, null]);
      t.is(forwarding?.activeTarget, 'slot1');
      t.is((await findNumberSetting(db, base?.id ?? -1, 'voicemail'))?.pin, '2580');
    } finally {
      await db.destroy();
    }
  });

  test(`${dialect.name}: applying the same file again changes nothing`, async (t) => {
    const db = await dialect.open();
    try {
      const first = totals(await applyProvisioning(db, await demo(), { now }));
      const second = totals(
        await applyProvisioning(db, await demo(), { now: new Date('2025-11-24T00:00:00Z') }),
      );
      t.deepEqual(second, { created: 0, updated: 0, unchanged: first.created });
    } finally {
      await db.destroy();
    }
  });

  test(`${dialect.name}: changing one setting updates exactly that`, async (t) => {
    const db = await dialect.open();
    try {
      const doc = await demo();
      await applyProvisioning(db, doc, { now });
      const line = doc.voiceGroups[0]?.sites[0]?.accessLines[0];
      if (line === undefined) throw new Error('demo shape changed');
      line.channels = 8;
      const report = await applyProvisioning(db, doc, { now });
      t.deepEqual(report.accessLines, { created: 0, updated: 1, unchanged: 0 });
      t.is(totals(report).updated, 1);
      t.is((await findNumber(db, '0355550100'))?.channels, 8);
    } finally {
      await db.destroy();
    }
  });

  test(`${dialect.name}: a voicemail change queues one confirmation mail to the box's addresses (SPEC §3.11)`, async (t) => {
    const db = await dialect.open();
    try {
      const confirmations = () => listMails(db, { kind: 'settings_confirmation' });
      const doc = await demo();
      await applyProvisioning(db, doc, { now, mailLanguage: 'en' });
      const [first, ...others] = await confirmations();
      t.is(others.length, 0);
      t.deepEqual(first?.recipients, ['reception@example.com']);
      t.regex(first?.subject ?? '', /0355550100/);
      t.regex(first?.text_body ?? '', /PIN: set/);
      t.regex(first?.text_body ?? '', /E-mail notification: on recording \(audio attached: yes\)/);
      t.false((first?.text_body ?? '').includes('2580'), 'the PIN was mailed');
      // Unchanged: nothing more.
      await applyProvisioning(db, doc, { now, mailLanguage: 'en' });
      t.is((await confirmations()).length, 1);
      const box = doc.voiceGroups[0]?.sites[0]?.accessLines[0]?.numbers[0];
      if (box?.voicemail === undefined) throw new Error('demo shape changed');
      box.voicemail.maxMessages = 10;
      await applyProvisioning(db, doc, { now });
      const latest = (await confirmations()).at(-1);
      t.is((await confirmations()).length, 2);
      t.regex(latest?.text_body ?? '', /最大保存件数: 10件/);
    } finally {
      await db.destroy();
    }
  });

  test(`${dialect.name}: a dry run reports but writes nothing`, async (t) => {
    const db = await dialect.open();
    try {
      const report = await applyProvisioning(db, await demo(), { now, dryRun: true });
      t.is(report.voiceGroups.created, 1);
      t.is(await findNumber(db, '0355550100'), undefined);
      t.deepEqual(await listMails(db), [], 'a dry run queued mail');
    } finally {
      await db.destroy();
    }
  });

  test(`${dialect.name}: a refused write names its YAML path and rolls everything back`, async (t) => {
    const db = await dialect.open();
    try {
      await applyProvisioning(db, await demo(), { now });
      // A second tenant, valid on its own, whose SIP-ID is already taken in the database.
      const other = {
        version: 1,
        voiceGroups: [
          {
            code: 'VG00002',
            name: 'Other Co.',
            sites: [
              {
                code: '2000001',
                name: 'Osaka',
                accessLines: [
                  {
                    code: 'N000000002',
                    channels: 2,
                    numbers: [
                      {
                        number: '06-5555-0199',
                        sip: { username: 'demo0100', password: 'another-password' },
                      },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      };
      const error = await t.throwsAsync(applyProvisioning(db, other, { now }), {
        instanceOf: ProvisioningError,
      });
      t.regex(
        error?.errors[0] ?? '',
        /^voiceGroups\[0\]\.sites\[0\]\.accessLines\[0\]\.numbers\[0\]\.sip: .*(unique|duplicate)/i,
      );
      t.is(
        await findNumber(db, '0655550199'),
        undefined,
        'the number written before the failure is rolled back',
      );
      t.is((await findCredentialByUsername(db, 'demo0100'))?.number, '0355550100');
    } finally {
      await db.destroy();
    }
  });

  test(`${dialect.name}: hunt groups, bulk groups and subscriptions are applied as the file says`, async (t) => {
    const db = await dialect.open();
    try {
      const doc = await demo();
      const site = doc.voiceGroups[0]?.sites[0];
      const numbers = site?.accessLines[0]?.numbers;
      if (site === undefined || numbers?.[1] === undefined) throw new Error('demo shape changed');
      numbers[1].subscriptions = ['hunt_group'];
      site.huntGroups = [
        {
          pilot: '0355550101',
          mode: 'round_robin',
          callerId: 'individual',
          members: ['05055550200'],
        },
      ];
      site.bulkForwardingGroups = [{ name: 'Disaster', members: ['0355550100', '0355550109'] }];
      const report = await applyProvisioning(db, doc, { now });
      t.is(report.huntGroups.created, 1);
      t.is(report.bulkForwardingGroups.created, 1);
      const hunt = await findHuntGroupByNumber(db, (await findNumber(db, '05055550200'))?.id ?? -1);
      t.deepEqual(
        [hunt?.pilot, hunt?.mode, hunt?.members],
        ['0355550101', 'round_robin', ['05055550200']],
      );
      // Dropping the hunt_group subscription from the file removes it.
      const again = await demo();
      const second = await applyProvisioning(db, again, { now });
      t.is(second.subscriptions.updated, 1);
      const base2 = await findNumber(db, '0355550101');
      t.deepEqual(await listSubscriptions(db, { numberId: base2?.id ?? -1 }), []);
    } finally {
      await db.destroy();
    }
  });
}
