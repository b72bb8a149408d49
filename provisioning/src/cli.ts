// The command-line edge: the only place in this package that prints.
import { loadConfig } from '@ipvoice/config';
import { migrateToLatest, openDatabase } from '@ipvoice/db';
import { createStateStore, settingsChangedChannel } from '@ipvoice/state';
import {
  type ProvisioningReport,
  ProvisioningError,
  applyProvisioning,
  reportKinds,
} from './apply-provisioning.ts';
import { loadProvisioningFile } from './load-provisioning-file.ts';
import { queueTestMail } from './test-mail.ts';

const usage = `usage:
  npm run provision -- apply <file> [--database URL] [--dry-run]
  npm run provision -- validate <file>
  npm run provision -- test-mail <number> [address]   (SPEC §3.12: queue a test mail)
The database defaults to the feature server's own (the configuration's database.url:
$DATABASE_URL, or the SQLite file under $DATA_DIR, var/ by default).`;

function formatReport(report: ProvisioningReport): string {
  const rows = reportKinds.map((kind) => {
    const r = report[kind];
    return `${kind.padEnd(22)} ${String(r.created).padStart(7)} ${String(r.updated).padStart(7)} ${String(r.unchanged).padStart(9)}`;
  });
  return [
    `${'kind'.padEnd(22)} ${'created'.padStart(7)} ${'updated'.padStart(7)} ${'unchanged'.padStart(9)}`,
    ...rows,
  ].join('\n');
}

async function testMail(args: string[]): Promise<number> {
  const [number, address] = args;
  if (number === undefined) {
    console.error(usage);
    return 2;
  }
  const config = loadConfig({ argv: [], env: process.env });
  const db = openDatabase(config.database.url);
  try {
    await migrateToLatest(db);
    const to = await queueTestMail(db, {
      number,
      ...(address !== undefined ? { address } : {}),
      language: config.mail.language,
    });
    console.log(`test mail queued for ${to.join(', ')}; a running server sends it`);
    return 0;
  } catch (error) {
    if (error instanceof ProvisioningError) {
      console.error(error.errors.join('\n'));
      return 1;
    }
    throw error;
  } finally {
    await db.destroy();
  }
}

async function main(args: string[]): Promise<number> {
  if (args[0] === 'test-mail') return testMail(args.slice(1));
  const [command, file, ...rest] = args;
  if ((command !== 'apply' && command !== 'validate') || file === undefined) {
    console.error(usage);
    return 2;
  }
  const loaded = await loadProvisioningFile(file);
  if (!loaded.ok) {
    console.error(`${file} is not valid:\n${loaded.errors.map((e) => `  ${e}`).join('\n')}`);
    return 1;
  }
  if (command === 'validate') {
    console.log(`${file} is valid`);
    return 0;
  }
  const dbFlag = rest.indexOf('--database');
  // Without --database, the same database `npm start` uses, from the same configuration.
  const config = loadConfig({ argv: [], env: process.env });
  const url = (dbFlag >= 0 ? rest[dbFlag + 1] : undefined) ?? config.database.url;
  const dryRun = rest.includes('--dry-run');
  if (url.startsWith('sqlite:') && url !== 'sqlite::memory:') {
    const { mkdirSync } = await import('node:fs');
    const { dirname } = await import('node:path');
    mkdirSync(dirname(url.slice('sqlite:'.length)), { recursive: true });
  }
  const db = openDatabase(url);
  try {
    await migrateToLatest(db);
    const report = await applyProvisioning(db, loaded.document, {
      dryRun,
      mailLanguage: config.mail.language,
    });
    console.log(
      `${dryRun ? 'dry run (nothing written)' : 'applied'}: ${file} → ${url.replace(/:[^:@/]+@/, ':***@')}`,
    );
    console.log(formatReport(report));
    if (!dryRun && config.state.driver === 'redis' && config.state.redisUrl) {
      // Running feature servers cache settings; tell them to read them again.
      const state = createStateStore({
        driver: 'redis',
        redisUrl: config.state.redisUrl,
        keyPrefix: config.state.keyPrefix,
      });
      try {
        await state.publish(settingsChangedChannel, '*');
        console.log('running feature servers were told to reload settings');
      } finally {
        await state.close();
      }
    }
    return 0;
  } catch (error) {
    if (error instanceof ProvisioningError) {
      console.error(`${file} was not applied:\n${error.errors.map((e) => `  ${e}`).join('\n')}`);
      return 1;
    }
    throw error;
  } finally {
    await db.destroy();
  }
}

process.exitCode = await main(process.argv.slice(2));
