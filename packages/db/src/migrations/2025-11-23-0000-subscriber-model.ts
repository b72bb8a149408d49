// Frozen once landed: never edit, add a new migration instead.
// Imports nothing of the application, so later code changes cannot rewrite history.
import { type Kysely, PostgresAdapter, type RawBuilder, sql } from 'kysely';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** A format check: regex on PostgreSQL, GLOB on SQLite. */
function matches(
  db: Kysely<unknown>,
  column: string,
  pgRegex: string,
  sqliteGlob: string,
): RawBuilder<unknown> {
  return isPostgres(db)
    ? sql`${sql.ref(column)} ~ ${sql.lit(pgRegex)}`
    : sql`${sql.ref(column)} GLOB ${sql.lit(sqliteGlob)}`;
}

function nationalNumber(db: Kysely<unknown>, column: string): RawBuilder<unknown> {
  // SPEC §2: 10–11 digits, national format (leading 0).
  return isPostgres(db)
    ? sql`${sql.ref(column)} ~ '^0[0-9]{9,10}$'`
    : sql`length(${sql.ref(column)}) BETWEEN 10 AND 11 AND ${sql.ref(column)} GLOB '0*' AND ${sql.ref(column)} NOT GLOB '*[^0-9]*'`;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  const id = (table: string) =>
    db.schema
      .createTable(table)
      .addColumn('id', 'integer', (col) =>
        pg ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement(),
      );
  const d7 = '[0-9]'.repeat(7);

  await id('voice_groups')
    .addColumn('code', 'text', (col) => col.notNull().unique())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('time_zone', 'text', (col) => col.notNull().defaultTo('Asia/Tokyo'))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addCheckConstraint(
      'voice_groups_code_format',
      matches(db, 'code', '^VG[0-9]{5}$', `VG${'[0-9]'.repeat(5)}`),
    )
    .execute();

  await id('sites')
    .addColumn('code', 'text', (col) => col.notNull().unique())
    .addColumn('voice_group_id', 'integer', (col) => col.notNull().references('voice_groups.id'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addCheckConstraint('sites_code_format', matches(db, 'code', '^[0-9]{7}$', d7))
    .execute();

  await id('access_lines')
    .addColumn('code', 'text', (col) => col.notNull().unique())
    .addColumn('site_id', 'integer', (col) => col.notNull().references('sites.id'))
    .addColumn('channels', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addCheckConstraint(
      'access_lines_code_format',
      matches(db, 'code', '^N[0-9]{9}$', `N${'[0-9]'.repeat(9)}`),
    )
    .addCheckConstraint('access_lines_channels_positive', sql`channels >= 1`)
    .execute();

  await id('numbers')
    .addColumn('number', 'text', (col) => col.notNull().unique())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('access_line_id', 'integer', (col) => col.notNull().references('access_lines.id'))
    .addColumn('base_number_id', 'integer')
    .addColumn('base_number_kind', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addCheckConstraint('numbers_number_format', nationalNumber(db, 'number'))
    .addCheckConstraint(
      'numbers_kind_shape',
      sql`(kind = 'base' AND base_number_id IS NULL AND base_number_kind IS NULL)
       OR (kind = 'dial_in' AND base_number_id IS NOT NULL AND base_number_kind = 'base')`,
    )
    // Targets of the composite foreign keys below.
    .addUniqueConstraint('numbers_id_line_kind', ['id', 'access_line_id', 'kind'])
    .addUniqueConstraint('numbers_id_kind', ['id', 'kind'])
    // SPEC §2: a dial-in hangs off a base number of the same access line.
    .addForeignKeyConstraint(
      'numbers_dial_in_base',
      ['base_number_id', 'access_line_id', 'base_number_kind'],
      'numbers',
      ['id', 'access_line_id', 'kind'],
    )
    .execute();

  await id('sip_credentials')
    .addColumn('number_id', 'integer', (col) => col.notNull().unique())
    .addColumn('number_kind', 'text', (col) => col.notNull().defaultTo('base'))
    .addColumn('username', 'text', (col) => col.notNull().unique())
    .addColumn('password', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addCheckConstraint('sip_credentials_base_only', sql`number_kind = 'base'`)
    .addCheckConstraint(
      'sip_credentials_username_present',
      sql`length(username) >= 1 AND length(password) >= 1`,
    )
    .addForeignKeyConstraint(
      'sip_credentials_number',
      ['number_id', 'number_kind'],
      'numbers',
      ['id', 'kind'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();

  await id('subscriptions')
    .addColumn('feature', 'text', (col) => col.notNull())
    .addColumn('number_id', 'integer', (col) => col.references('numbers.id').onDelete('cascade'))
    .addColumn('access_line_id', 'integer', (col) =>
      col.references('access_lines.id').onDelete('cascade'),
    )
    .addColumn('operator_number', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addCheckConstraint(
      'subscriptions_feature_known',
      sql`feature IN ('bulk_forwarding', 'special_number_forwarding', 'hunt_group',
        'specific_number_presentation', 'anonymous_rejection', 'nuisance_blocking',
        'voicemail', 'incoming_call_notice')`,
    )
    // SPEC §3.3: bulk forwarding is subscribed per access line, everything else per number.
    .addCheckConstraint(
      'subscriptions_owner',
      sql`(feature = 'bulk_forwarding' AND access_line_id IS NOT NULL AND number_id IS NULL)
       OR (feature <> 'bulk_forwarding' AND number_id IS NOT NULL AND access_line_id IS NULL)`,
    )
    .addUniqueConstraint('subscriptions_number_feature', ['number_id', 'feature'])
    .addUniqueConstraint('subscriptions_line_feature', ['access_line_id', 'feature'])
    .execute();

  await db.schema.createIndex('sites_voice_group').on('sites').column('voice_group_id').execute();
  await db.schema.createIndex('access_lines_site').on('access_lines').column('site_id').execute();
  await db.schema
    .createIndex('numbers_access_line')
    .on('numbers')
    .column('access_line_id')
    .execute();
  await db.schema
    .createIndex('numbers_base_number')
    .on('numbers')
    .column('base_number_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'subscriptions',
    'sip_credentials',
    'numbers',
    'access_lines',
    'sites',
    'voice_groups',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
