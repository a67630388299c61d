/**
 * Set-based statements over `unnest($1::text[], $2::bigint[], …)`: one array parameter per column,
 * so a batch of any size is one short statement with a fixed number of parameters. Building a
 * multi-row VALUES list costs a parameter, a placeholder and a cast per cell; an array costs one
 * parameter per column. Each array goes as its text literal (`{1,2,NULL}`), built here with string
 * concatenation rather than by the driver's per-element escaping, in a parameter of the array's
 * type: `$1::bigint[]`. Works the same on node-postgres and PGlite. Not `$1::text::bigint[]`: then
 * the parameter is text and the array a cast the planner evaluates to estimate unnest's rows, so
 * every array was parsed twice (planning and execution); a typed parameter is parsed once, at bind.
 *
 * Each statement is built as its text and its parameters and handed to drizzle as one flat SQL (a
 * text chunk between every two parameters): drizzle walks a nested SQL chunk by chunk, with an
 * entity check per chunk, which cost more of the persister's CPU than the rows themselves did when
 * every column was its own few chunks (session 8, `npm run bench:persister`).
 */
import { getTableColumns, getTableName, type SQL, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";

/** One column of an unnest: its name in the row alias, its Postgres element type, its values. */
export type ArrayColumn = readonly [name: string, pgType: string, values: unknown[]];

/** `"name"`, as Postgres quotes an identifier. */
const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Text and parameters of one statement, turned into a flat drizzle SQL by `toSQL`. */
export class Statement {
  private readonly texts: string[] = [""];
  private readonly params: unknown[] = [];

  text(text: string): this {
    this.texts[this.texts.length - 1] += text;
    return this;
  }

  param(value: unknown): this {
    this.params.push(value);
    this.texts.push("");
    return this;
  }

  /** Another statement's text and parameters, in place. */
  append(other: Statement): this {
    this.text(other.texts[0] as string);
    for (let i = 0; i < other.params.length; i++)
      this.param(other.params[i]).text(other.texts[i + 1] as string);
    return this;
  }

  toSQL(): SQL {
    return sql(Object.assign([...this.texts], { raw: this.texts }) as TemplateStringsArray, ...this.params);
  }
}

/**
 * `unnest($1::text[], …) as <alias>(a, …)`, appended to `into`. Every column must have the same
 * length. With `ordinality`, a last column of that name numbers the rows from 1 in array order.
 */
export function unnestInto(
  into: Statement,
  alias: string,
  columns: readonly ArrayColumn[],
  ordinality?: string,
): Statement {
  into.text("unnest(");
  columns.forEach(([, type, values], i) => {
    if (i > 0) into.text(", ");
    into.param(arrayLiteral(type, values)).text(`::${type}[]`);
  });
  const names = [...columns.map(([name]) => name), ...(ordinality ? [ordinality] : [])];
  return into.text(
    `)${ordinality ? " with ordinality" : ""} as ${quoteIdent(alias)}(${names.map(quoteIdent).join(", ")})`,
  );
}

/** `unnest(…) as <alias>(…)` as a drizzle SQL (see unnestInto). */
export function unnestAs(alias: string, columns: readonly ArrayColumn[], ordinality?: string): SQL {
  return unnestInto(new Statement(), alias, columns, ordinality).toSQL();
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
): Statement {
  const columns: ArrayColumn[] = [];
  for (const [key, column] of Object.entries(getTableColumns(table)) as Array<[string, PgColumn]>) {
    const values: unknown[] = new Array(rows.length);
    let given = false;
    for (let i = 0; i < rows.length; i++) {
      const value = (rows[i] as Record<string, unknown>)[key];
      if (value !== undefined) given = true;
      values[i] = value;
    }
    if (!given && column.hasDefault && column.default === undefined && !column.defaultFn) continue;
    for (let i = 0; i < values.length; i++) values[i] = cell(column, values[i]);
    columns.push([column.name, elementType(column), values]);
  }
  const names = columns.map(([name]) => quoteIdent(name)).join(", ");
  const into = new Statement().text(
    `insert into ${quoteIdent(getTableName(table))} (${names}) select ${names} from `,
  );
  unnestInto(into, "v", columns, ordered ? "ord" : undefined);
  return ordered ? into.text(` order by "ord"`) : into;
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

const NEEDS_ESCAPE = /["\\]/;

/**
 * Postgres array input syntax: numbers as they print, text double-quoted with `"` and `\\` escaped.
 * Parts joined once (faster than `+=` here), and the escaping regex run only on text that needs it.
 */
export function arrayLiteral(type: string, values: unknown[]): string {
  const text = type === "text";
  const parts: string[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = "NULL";
    else if (text) {
      if (typeof v !== "string") throw new Error(`unnest: ${String(v)} is not text`);
      parts[i] = NEEDS_ESCAPE.test(v) ? `"${v.replace(/["\\]/g, "\\$&")}"` : `"${v}"`;
    } else if (typeof v === "boolean") parts[i] = v ? "t" : "f";
    else if (typeof v === "number" && Number.isSafeInteger(v)) parts[i] = String(v);
    else throw new Error(`unnest: ${String(v)} is not a ${type}`);
  }
  return `{${parts.join(",")}}`;
}
