import type { SQL } from "bun";
import { SQL_COLUMNS, type TextLimits } from "./sql-columns.ts";
import type { Dialect } from "./sql-dialect.ts";

/** A column as information_schema describes it. */
interface PresentColumn {
  type: string;
  /** Characters a text column takes; null when unlimited or not text. */
  maxLength: number | null;
}

/**
 * Creates the `dns` table if there is none, else adds every column it
 * lacks, under the dialect's schema lock. A new table has the old tool's
 * columns first, as its SQLAlchemy model made them, so SQL written for it
 * keeps working. ADD COLUMN without a default rewrites no row, so an old
 * tool's table keeps all its rows; their new columns read NULL. A table
 * that is complete is left alone: ALTER TABLE would lock out the other
 * sensors' inserts, even with nothing to add. Throws when a column exists
 * with a type udpot cannot write. Returns the limits of the text columns.
 */
export async function prepareTable(sql: SQL, dialect: Dialect): Promise<TextLimits> {
  let limits: TextLimits = new Map();
  await dialect.underSchemaLock(sql, async (one) => {
    let present = await columnsOf(one, dialect);
    if (present.size === 0) {
      await one.unsafe(createTable(dialect));
      present = await columnsOf(one, dialect);
    }
    const wrong = wrongTypes(present, dialect);
    if (wrong.length > 0) {
      throw new Error(`table dns has columns udpot cannot write: ${wrong.join("; ")}`);
    }
    const missing = SQL_COLUMNS.filter((column) => !present.has(column.name));
    if (missing.length > 0) {
      const adds = missing.map(
        (column) => `ADD COLUMN ${column.name} ${dialect.types[column.kind]}`,
      );
      // One statement: on MySQL each ALTER TABLE commits, and may copy the table.
      await one.unsafe(`ALTER TABLE dns ${adds.join(", ")}`);
      present = await columnsOf(one, dialect);
    }
    limits = textLimits(present);
  });
  return limits;
}

/** CREATE TABLE with every column, in `SQL_COLUMNS` order after `id`. */
function createTable(dialect: Dialect): string {
  const columns = SQL_COLUMNS.map((column) => `\t${column.name} ${dialect.types[column.kind]},`);
  return `CREATE TABLE IF NOT EXISTS dns (
\t${dialect.idColumn},
${columns.join("\n")}
\tPRIMARY KEY (id)
)${dialect.tableOptions}`;
}

/** `questions is text (udpot writes JSONB)` for each present column of another type. */
function wrongTypes(present: Map<string, PresentColumn>, dialect: Dialect): string[] {
  const wrong: string[] = [];
  for (const column of SQL_COLUMNS) {
    const type = present.get(column.name)?.type;
    if (type === undefined || dialect.accepted[column.kind].includes(type)) continue;
    wrong.push(`${column.name} is ${type} (udpot writes ${dialect.types[column.kind]})`);
  }
  return wrong;
}

/** The text columns with a length limit, and that limit. */
function textLimits(present: Map<string, PresentColumn>): TextLimits {
  const limits = new Map<string, number>();
  for (const [name, column] of present) {
    if (column.maxLength !== null) limits.set(name, column.maxLength);
  }
  return limits;
}

/** The columns of `dns` in the connection's schema; empty when there is no table. */
async function columnsOf(sql: SQL, dialect: Dialect): Promise<Map<string, PresentColumn>> {
  // Named in lower case: MySQL 8 answers in upper case otherwise.
  const rows: { column_name: string; data_type: string; max_length: unknown }[] = await sql.unsafe(`
      SELECT column_name AS column_name, data_type AS data_type,
        character_maximum_length AS max_length
      FROM information_schema.columns
      WHERE table_schema = ${dialect.currentSchema} AND table_name = 'dns'`);
  return new Map(
    rows.map((row) => [
      row.column_name,
      {
        type: row.data_type.toLowerCase(),
        maxLength: row.max_length === null ? null : Number(row.max_length),
      },
    ]),
  );
}
