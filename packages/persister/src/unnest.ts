/**
 * Set-based statements over `unnest($1::text[], $2::bigint[], …)`: one array parameter per column,
 * so a batch of any size is one short statement with a fixed number of parameters. Building a
 * multi-row VALUES list costs a parameter, a placeholder and a cast per cell; an array costs one
 * parameter per column. Each array goes as its text literal (`{1,2,NULL}`), built here with `join`
 * rather than by the driver's per-element escaping, and cast by the server: `$1::text::bigint[]`.
 * Works the same on node-postgres and PGlite.
 */
import { getTableColumns, type SQL, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";

/** One column of an unnest: its name in the row alias, its Postgres element type, its values. */
export type ArrayColumn = readonly [name: string, pgType: string, values: unknown[]];

/**
 * `unnest($1::text[], …) as <alias>(a, …)`. Every column must have the same length. With `ordinality`,
 * a last column of that name numbers the rows from 1 in array order.
 */
export function unnestAs(alias: string, columns: readonly ArrayColumn[], ordinality?: string): SQL {
  const arrays = sql.join(
    columns.map(([, type, values]) => sql`${arrayLiteral(type, values)}::text::${sql.raw(type)}[]`),
    sql`, `,
  );
  const names = sql.join(
    [...columns.map(([name]) => name), ...(ordinality ? [ordinality] : [])].map((n) => sql.identifier(n)),
    sql`, `,
  );
  const withOrdinality = ordinality ? sql` with ordinality` : sql``;
  return sql`unnest(${arrays})${withOrdinality} as ${sql.identifier(alias)}(${names})`;
}

/**
 * `insert into <table> (…) select … from unnest(…)`, with the rows of a drizzle `$inferInsert`.
 * A key missing from a row takes the column's static default, or null, exactly as drizzle's
 * `.values()` would; columns the database fills itself (serial ids) are left out when no row sets them.
 * With `ordered`, rows are inserted in array order (serial ids follow it). Append `on conflict …`.
 */
export function insertFromArrays<T extends PgTable>(
  table: T,
  rows: ReadonlyArray<T["$inferInsert"]>,
  ordered = false,
): SQL {
  const columns: ArrayColumn[] = [];
  for (const [key, column] of Object.entries(getTableColumns(table)) as Array<[string, PgColumn]>) {
    const given = rows.some((r) => (r as Record<string, unknown>)[key] !== undefined);
    if (!given && column.hasDefault && column.default === undefined && !column.defaultFn) continue;
    const values = rows.map((r) => cell(column, (r as Record<string, unknown>)[key]));
    columns.push([column.name, elementType(column), values]);
  }
  const names = sql.join(
    columns.map(([name]) => sql.identifier(name)),
    sql`, `,
  );
  if (!ordered) return sql`insert into ${table} (${names}) select ${names} from ${unnestAs("v", columns)}`;
  return sql`insert into ${table} (${names}) select ${names} from ${unnestAs("v", columns, "ord")} order by "ord"`;
}

function cell(column: PgColumn, value: unknown): unknown {
  let v = value;
  if (v === undefined) {
    if (column.defaultFn) v = column.defaultFn();
    else if (column.hasDefault && column.default !== undefined) v = column.default;
    else v = null;
  }
  if (v !== null && typeof v === "object" && !(v instanceof Date))
    throw new Error(`unnest: column ${column.name} needs a plain value, got ${String(v)}`);
  return v === null ? null : column.mapToDriverValue(v);
}

function elementType(column: PgColumn): string {
  const type = column.getSQLType();
  if (!/^(text|bigint|integer|boolean|smallint)$/.test(type))
    throw new Error(`unnest: column ${column.name} has type ${type}; add it to elementType`);
  return type;
}

/** Postgres array input syntax: numbers as they print, text double-quoted with `"` and `\\` escaped. */
export function arrayLiteral(type: string, values: unknown[]): string {
  const text = type === "text";
  const parts = values.map((v) => {
    if (v === null || v === undefined) return "NULL";
    if (text) {
      if (typeof v !== "string") throw new Error(`unnest: ${String(v)} is not text`);
      return `"${v.replace(/["\\]/g, "\\$&")}"`;
    }
    if (typeof v === "boolean") return v ? "t" : "f";
    if (typeof v !== "number" || !Number.isSafeInteger(v))
      throw new Error(`unnest: ${String(v)} is not a ${type}`);
    return String(v);
  });
  return `{${parts.join(",")}}`;
}
