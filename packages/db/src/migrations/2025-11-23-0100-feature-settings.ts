// Frozen once landed: never edit, add a new migration instead.
import { type CreateTableBuilder, type Kysely, PostgresAdapter, sql } from 'kysely';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** SPEC §3.1 columns shared by the live forwarding setting and named patterns (§3.2). */
type AnyTable = CreateTableBuilder<string, string>;

function forwardingColumns(table: AnyTable, prefix: string): AnyTable {
  const flag =
    (name: string) =>
    (t: AnyTable): AnyTable =>
      t
        .addColumn(name, 'integer', (col) => col.notNull().defaultTo(0))
        .addCheckConstraint(`${prefix}_${name}_flag`, sql`${sql.ref(name)} IN (0, 1)`);
  let t = table;
  for (const name of ['enabled', 'unconditional', 'on_busy', 'on_no_answer', 'on_unreachable'])
    t = flag(name)(t);
  return (
    t
      .addColumn('ring_time_seconds', 'integer', (col) => col.notNull())
      .addColumn('active_target', 'text')
      .addColumn('slot1', 'text')
      .addColumn('slot2', 'text')
      .addColumn('slot3', 'text')
      .addColumn('slot4', 'text')
      .addColumn('slot5', 'text')
      // SPEC §3.1: no-answer ring time 5–30 s.
      .addCheckConstraint(`${prefix}_ring_time`, sql`ring_time_seconds BETWEEN 5 AND 30`)
      // SPEC §3.1: unconditional is exclusive.
      .addCheckConstraint(
        `${prefix}_unconditional_exclusive`,
        sql`unconditional = 0 OR (on_busy = 0 AND on_no_answer = 0 AND on_unreachable = 0)`,
      )
      .addCheckConstraint(
        `${prefix}_active_target`,
        sql`active_target IS NULL OR active_target IN ('slot1', 'slot2', 'slot3', 'slot4', 'slot5', 'voicemail')`,
      )
      // An active slot must hold a number.
      .addCheckConstraint(
        `${prefix}_active_slot_set`,
        sql`(active_target IS DISTINCT FROM 'slot1' OR slot1 IS NOT NULL)
        AND (active_target IS DISTINCT FROM 'slot2' OR slot2 IS NOT NULL)
        AND (active_target IS DISTINCT FROM 'slot3' OR slot3 IS NOT NULL)
        AND (active_target IS DISTINCT FROM 'slot4' OR slot4 IS NOT NULL)
        AND (active_target IS DISTINCT FROM 'slot5' OR slot5 IS NOT NULL)`,
      )
  );
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  const id = (table: string): AnyTable =>
    db.schema
      .createTable(table)
      .addColumn('id', 'integer', (col) =>
        pg ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement(),
      );

  await forwardingColumns(
    id('forwarding_settings').addColumn('number_id', 'integer', (col) =>
      col.notNull().unique().references('numbers.id').onDelete('cascade'),
    ),
    'forwarding_settings',
  )
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();

  await forwardingColumns(
    id('forwarding_patterns')
      .addColumn('number_id', 'integer', (col) =>
        col.notNull().references('numbers.id').onDelete('cascade'),
      )
      .addColumn('name', 'text', (col) => col.notNull()),
    'forwarding_patterns',
  )
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addUniqueConstraint('forwarding_patterns_number_name', ['number_id', 'name'])
    .addCheckConstraint('forwarding_patterns_name_present', sql`length(name) >= 1`)
    .execute();

  await id('forwarding_schedule_entries')
    .addColumn('number_id', 'integer', (col) =>
      col.notNull().references('numbers.id').onDelete('cascade'),
    )
    .addColumn('days', 'text', (col) => col.notNull())
    .addColumn('start_time', 'text', (col) => col.notNull())
    .addColumn('pattern_id', 'integer', (col) =>
      col.notNull().references('forwarding_patterns.id').onDelete('cascade'),
    )
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addCheckConstraint('forwarding_schedule_entries_start_time', sql`length(start_time) = 5`)
    .execute();

  await db.schema
    .createTable('number_settings')
    .addColumn('number_id', 'integer', (col) =>
      col.notNull().references('numbers.id').onDelete('cascade'),
    )
    .addColumn('feature', 'text', (col) => col.notNull())
    .addColumn('settings', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('number_settings_pk', ['number_id', 'feature'])
    .addCheckConstraint(
      'number_settings_feature_known',
      sql`feature IN ('special_number_forwarding', 'caller_id', 'specific_number_presentation',
        'anonymous_rejection', 'nuisance_blocking', 'international_barring',
        'outgoing_restriction', 'voicemail', 'incoming_call_notice')`,
    )
    .execute();

  await id('hunt_groups')
    .addColumn('pilot_number_id', 'integer', (col) =>
      col.notNull().unique().references('numbers.id').onDelete('cascade'),
    )
    .addColumn('mode', 'text', (col) => col.notNull())
    .addColumn('caller_id', 'text', (col) => col.notNull())
    .addColumn('no_answer_seconds', 'integer')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addCheckConstraint('hunt_groups_mode', sql`mode IN ('sequential', 'round_robin')`)
    .addCheckConstraint('hunt_groups_caller_id', sql`caller_id IN ('pilot', 'individual')`)
    .addCheckConstraint(
      'hunt_groups_no_answer',
      sql`no_answer_seconds IS NULL OR no_answer_seconds BETWEEN 5 AND 120`,
    )
    .execute();

  await db.schema
    .createTable('hunt_group_members')
    .addColumn('hunt_group_id', 'integer', (col) =>
      col.notNull().references('hunt_groups.id').onDelete('cascade'),
    )
    // SPEC §3.5: a number belongs to at most one group.
    .addColumn('number_id', 'integer', (col) =>
      col.notNull().unique().references('numbers.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('hunt_group_members_pk', ['hunt_group_id', 'position'])
    .addCheckConstraint('hunt_group_members_position', sql`position >= 1`)
    .execute();

  await id('bulk_forwarding_groups')
    .addColumn('site_id', 'integer', (col) =>
      col.notNull().references('sites.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) => col.notNull().defaultTo('stopped'))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addUniqueConstraint('bulk_forwarding_groups_site_name', ['site_id', 'name'])
    .addCheckConstraint(
      'bulk_forwarding_groups_state',
      sql`state IN ('stopped', 'starting', 'started', 'stopping')`,
    )
    .execute();

  await db.schema
    .createTable('bulk_forwarding_members')
    .addColumn('group_id', 'integer', (col) =>
      col.notNull().references('bulk_forwarding_groups.id').onDelete('cascade'),
    )
    .addColumn('number_id', 'integer', (col) =>
      col.notNull().references('numbers.id').onDelete('cascade'),
    )
    .addPrimaryKeyConstraint('bulk_forwarding_members_pk', ['group_id', 'number_id'])
    .execute();

  await db.schema
    .createIndex('forwarding_patterns_number')
    .on('forwarding_patterns')
    .column('number_id')
    .execute();
  await db.schema
    .createIndex('forwarding_schedule_entries_number')
    .on('forwarding_schedule_entries')
    .column('number_id')
    .execute();
  await db.schema
    .createIndex('bulk_forwarding_members_number')
    .on('bulk_forwarding_members')
    .column('number_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'bulk_forwarding_members',
    'bulk_forwarding_groups',
    'hunt_group_members',
    'hunt_groups',
    'number_settings',
    'forwarding_schedule_entries',
    'forwarding_patterns',
    'forwarding_settings',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
