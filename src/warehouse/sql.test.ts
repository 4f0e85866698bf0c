import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';

import {
  SQL_TYPES,
  addColumnsSql,
  createTableSql,
  identKey,
  qualified,
  quoteIdent,
  quoteLiteral,
} from './sql';

describe('quoteIdent', () => {
  it('doubles embedded quotes', () => {
    expect(quoteIdent('patients')).toBe('"patients"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteIdent('"; DROP TABLE x; --')).toBe('"""; DROP TABLE x; --"');
  });

  it('rejects names DuckDB cannot hold', () => {
    expect(() => quoteIdent('')).toThrow(/Invalid SQL identifier/);
    expect(() => quoteIdent('a\0b')).toThrow(/Invalid SQL identifier/);
  });
});

describe('quoteLiteral', () => {
  it('doubles embedded single quotes', () => {
    expect(quoteLiteral("O'Brien^John")).toBe("'O''Brien^John'");
  });
});

describe('DDL', () => {
  it('maps every dlt type to a DuckDB type', () => {
    expect(SQL_TYPES).toEqual({
      text: 'VARCHAR',
      bigint: 'BIGINT',
      double: 'DOUBLE',
      bool: 'BOOLEAN',
      json: 'VARCHAR',
      timestamp: 'TIMESTAMP WITH TIME ZONE',
    });
  });

  it('creates a table with quoted names, first spelling of a name kept', () => {
    const sql = createTableSql('orthanc_data', 'studies__labels', [
      { name: 'value', sqlType: 'VARCHAR' },
      { name: '_dlt_id', sqlType: 'VARCHAR' },
      { name: 'Value', sqlType: 'BIGINT' },
    ]);
    expect(sql).toBe(
      'CREATE TABLE IF NOT EXISTS "orthanc_data"."studies__labels" ' +
        '("value" VARCHAR, "_dlt_id" VARCHAR)',
    );
  });

  it('refuses a table without columns', () => {
    expect(() => createTableSql('s', 't', [])).toThrow(/without columns/);
  });

  it('adds only the columns a table lacks, whatever their case', () => {
    const existing = new Set(['id', 'name'].map(identKey));
    expect(
      addColumnsSql('s', 't', existing, [
        { name: 'ID', sqlType: 'BIGINT' },
        { name: 'is_stable', sqlType: 'BOOLEAN' },
      ]),
    ).toEqual(['ALTER TABLE "s"."t" ADD COLUMN "is_stable" BOOLEAN']);
  });

  it('runs in DuckDB with hostile names and keeps them as data', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const table = 'x"; DROP TABLE y; --';
    const column = 'Robert"); DROP TABLE students;--';
    await connection.run('CREATE SCHEMA s; CREATE TABLE s.y (a INTEGER)');
    await connection.run(
      createTableSql('s', table, [{ name: column, sqlType: 'VARCHAR' }]),
    );
    for (const statement of addColumnsSql(
      's',
      table,
      new Set([identKey(column)]),
      [
        { name: column, sqlType: 'VARCHAR' },
        { name: 'select', sqlType: 'BIGINT' },
      ],
    )) {
      await connection.run(statement);
    }
    await connection.run(
      `INSERT INTO ${qualified('s', table)} VALUES (${quoteLiteral("it's")}, 7)`,
    );

    const tables = await connection.runAndReadAll(
      "SELECT table_name FROM duckdb_tables() WHERE schema_name = 's' " +
        'ORDER BY table_name',
    );
    expect(tables.getRowObjectsJS().map((r) => r.table_name)).toEqual([
      table,
      'y',
    ]);
    const rows = await connection.runAndReadAll(
      `SELECT * FROM ${qualified('s', table)}`,
    );
    expect(rows.columnNames()).toEqual([column, 'select']);
    expect(rows.getRowObjectsJS()).toEqual([{ [column]: "it's", select: 7n }]);
    connection.closeSync();
  });
});
