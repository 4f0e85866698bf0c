// The schema view's read of a real DuckDB filled by the captured answers
// of both Orthanc versions, committed the way a load commits them: first
// with only DuckDB's catalog, then with a stored schema in _dlt_version.

import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { beforeEach, describe, expect, it } from 'vitest';

import { replayFetch } from '../orthanc/replayFetch';
import {
  collectCrawl,
  testConnection,
} from '../pipeline/fixtures/collectCrawl';
import { loadFixtures } from '../pipeline/fixtures/loadFixtures';
import { NamingConvention } from '../pipeline/naming';
import { RelationalNormalizer } from '../pipeline/normalize';
import type { Row } from '../pipeline/rows';
import type { StoredSchema, TableSchema } from '../pipeline/schema';
import { TableRegistry } from '../pipeline/tableRegistry';
import { commitRows } from './fixtures/commitRows';
import { readCatalog } from './schemaCatalog';
import type { CatalogQuery } from './schemaCatalog';
import { DATASET, createTableSql, qualified, quoteLiteral } from './sql';
import { VERSION_TABLE, versionColumns } from './storedSchema';
import { warehouseSchema } from './warehouseSchema';
import type { SchemaTable } from './warehouseSchema';

async function open(): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:');
  return instance.connect();
}

function catalogQuery(connection: DuckDBConnection): CatalogQuery {
  return async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJS();
}

async function readSchema(connection: DuckDBConnection) {
  return warehouseSchema(await readCatalog(catalogQuery(connection)));
}

/** Each table with its rows, as commitRows takes them. */
function withRows(
  tables: TableSchema[],
  rows: ReadonlyMap<string, readonly Row[]>,
) {
  return tables.map((schema) => ({
    schema,
    rows: rows.get(schema.name) ?? [],
  }));
}

async function scalar(connection: DuckDBConnection, sql: string) {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS()[0];
}

/** Crawls the captured answers of one version and commits them. */
async function commitFixtures(connection: DuckDBConnection, version: string) {
  const replay = replayFetch(testConnection.baseUrl, loadFixtures(version));
  const crawled = await collectCrawl(replay.fetch);
  await commitRows(
    connection,
    'load-1',
    withRows([...crawled.tables.values()], crawled.rows),
  );
  return crawled;
}

/**
 * Simplified DICOM tags with a sequence in a sequence (as in Orthanc's
 * GenerateTestSequence) and two keys that collide once snake_cased.
 */
const taggedInstances = [
  {
    ID: 'i1',
    PatientID: 'FAKE01',
    patient_id: 'fake01',
    ReferencedStudySequence: [
      {
        StudyDescription: 'L1',
        ReferencedStudySequence: [{ StudyDescription: 'L2' }],
      },
    ],
  },
  { ID: 'i2', PatientID: 12345 },
];

async function commitTaggedInstance(connection: DuckDBConnection) {
  const registry = new TableRegistry(new NamingConvention());
  const normalizer = new RelationalNormalizer(registry, 'load-2');
  const spec = {
    name: 'tags',
    disposition: 'merge' as const,
    primaryKey: ['id'],
  };
  const rows = new Map<string, Row[]>();
  for (const item of taggedInstances) {
    for (const { table, row } of normalizer.normalize(item, spec)) {
      rows.set(table, [...(rows.get(table) ?? []), row]);
    }
  }
  const tables = registry
    .all()
    .map((state) => registry.snapshot(state.schema.name));
  await commitRows(connection, 'load-2', withRows(tables, rows));
  return tables;
}

function table(tables: SchemaTable[], name: string): SchemaTable {
  const found = tables.find((t) => t.name === name);
  if (found === undefined) throw new Error(`${name} is not listed`);
  return found;
}

const sequence = 'tags__referenced_study_sequence';
const nestedSequence = `${sequence}__referenced_study_sequence`;

/** Writes one `_dlt_version` row, in the layout loads write. */
async function writeStoredSchema(
  connection: DuckDBConnection,
  stored: StoredSchema | string,
) {
  const text = typeof stored === 'string' ? stored : JSON.stringify(stored);
  await connection.run(createTableSql(DATASET, VERSION_TABLE, versionColumns));
  await connection.run(
    `INSERT INTO ${qualified(DATASET, VERSION_TABLE)} VALUES ` +
      `(1, 1, now(), 'orthanc', 'h1', '{}'), ` +
      `(3, 1, now(), 'orthanc', 'h3', ${quoteLiteral(text)})`,
  );
}

/** The crawl's tables with the keys each column came from, as recorded. */
function withSources(tables: Iterable<TableSchema>): TableSchema[] {
  const keys: Record<string, Record<string, string[]>> = {
    studies_detail: {
      id: ['ID'],
      main_dicom_tags__study_date: ['MainDicomTags', 'StudyDate'],
    },
    tags: { id: ['ID'], patient_id: ['PatientID'] },
    [sequence]: { study_description: ['StudyDescription'] },
  };
  const lists: Record<string, TableSchema['listOf']> = {
    [sequence]: { table: 'tags', path: ['ReferencedStudySequence'] },
    [nestedSequence]: { table: sequence, path: ['ReferencedStudySequence'] },
  };
  return [...tables].map((schema) => {
    const columns = schema.columns.map((column) => {
      let source = keys[schema.name]?.[column.name];
      if (schema.name === 'tags' && column.name.startsWith('patient_id_')) {
        source = ['patient_id'];
      }
      if (column.name === 'patient_id__v_bigint') {
        return { ...column, source: ['PatientID'], variant: true };
      }
      return source ? { ...column, source } : column;
    });
    const listOf = lists[schema.name];
    return listOf ? { ...schema, columns, listOf } : { ...schema, columns };
  });
}

for (const version of ['1.10.1', '1.12.7']) {
  describe(`the schema of a warehouse loaded from Orthanc ${version}`, () => {
    let connection: DuckDBConnection;

    beforeEach(async () => {
      connection = await open();
    });

    it('lists every table once, with its exact row count', async () => {
      const crawled = await commitFixtures(connection, version);
      const { tables } = await readSchema(connection);

      const catalog = (
        await connection.runAndReadAll(
          `SELECT table_name FROM duckdb_tables() ` +
            `WHERE schema_name = ${quoteLiteral(DATASET)}`,
        )
      ).getRowObjectsJS();
      const names = tables.map((t) => t.name);
      expect(new Set(names).size).toBe(names.length);
      expect([...names].sort()).toEqual(
        catalog.map((row) => row.table_name as string).sort(),
      );
      expect(names).toContain('studies_detail__series');

      for (const listed of tables) {
        const counted = await scalar(
          connection,
          `SELECT count(*) AS n FROM ${qualified(DATASET, listed.name)}`,
        );
        expect(listed.rowCount, listed.name).toBe(Number(counted?.n));
      }
      expect(table(tables, 'studies_detail').rowCount).toBe(
        crawled.rows.get('studies_detail')?.length,
      );
    });

    it('puts child tables under their parents, system tables last', async () => {
      await commitFixtures(connection, version);
      await commitTaggedInstance(connection);
      const { tables, storedVersion } = await readSchema(connection);

      const studies = table(tables, 'studies_detail');
      const series = table(tables, 'studies_detail__series');
      expect(series).toMatchObject({ parent: 'studies_detail', depth: 1 });
      expect(studies.children).toContain('studies_detail__series');
      expect(tables.indexOf(series)).toBeGreaterThan(tables.indexOf(studies));

      expect(table(tables, sequence)).toMatchObject({
        parent: 'tags',
        depth: 1,
      });
      expect(table(tables, nestedSequence)).toMatchObject({
        parent: sequence,
        root: 'tags',
        depth: 2,
      });

      const system = tables.filter((t) => t.system).map((t) => t.name);
      expect(system).toEqual([
        '_crawl_errors',
        '_dlt_loads',
        '_dlt_pipeline_state',
        '_dlt_version',
      ]);
      expect(tables.slice(-system.length).map((t) => t.name)).toEqual(system);

      // each of the two commits wrote the schema it left
      expect(storedVersion).toBe(2);
      expect(studies.disposition).toBe('replace');
      const studyDate = (found: SchemaTable) =>
        found.columns.find((c) => c.name === 'main_dicom_tags__study_date');
      expect(studyDate(studies)).toMatchObject({
        type: 'VARCHAR',
        source: ['MainDicomTags', 'StudyDate'],
      });

      // Without a stored schema the catalog is all there is.
      await connection.run(`DROP TABLE ${DATASET}._dlt_version`);
      const bare = await readSchema(connection);
      expect(bare.storedVersion).toBeNull();
      const bareStudies = table(bare.tables, 'studies_detail');
      expect(bareStudies.disposition).toBeNull();
      expect(studyDate(bareStudies)).toMatchObject({
        type: 'VARCHAR',
        source: null,
      });
      expect(table(bare.tables, 'studies_detail__series')).toMatchObject({
        parent: 'studies_detail',
        depth: 1,
      });
    });

    it('shows the keys behind each column from the stored schema', async () => {
      const crawled = await commitFixtures(connection, version);
      const tagTables = await commitTaggedInstance(connection);
      await writeStoredSchema(connection, {
        name: 'orthanc',
        version: 3,
        tables: withSources([...crawled.tables.values(), ...tagTables]),
      });
      const { tables, storedVersion } = await readSchema(connection);
      expect(storedVersion).toBe(3);

      const studies = table(tables, 'studies_detail');
      expect(studies).toMatchObject({
        disposition: 'replace',
        primaryKey: ['id'],
      });
      expect(
        studies.columns.find((c) => c.name === 'main_dicom_tags__study_date'),
      ).toEqual({
        name: 'main_dicom_tags__study_date',
        type: 'VARCHAR',
        source: ['MainDicomTags', 'StudyDate'],
        variant: false,
        plainName: 'main_dicom_tags__study_date',
        renamed: false,
      });

      const tags = table(tables, 'tags').columns;
      expect(tags.find((c) => c.name === 'patient_id')).toMatchObject({
        source: ['PatientID'],
        renamed: false,
      });
      const collided = tags.find((c) => c.name.startsWith('patient_id_'));
      expect(collided).toMatchObject({
        source: ['patient_id'],
        type: 'VARCHAR',
        plainName: 'patient_id',
        renamed: true,
      });
      expect(tags.find((c) => c.name === 'patient_id__v_bigint')).toMatchObject(
        { type: 'BIGINT', variant: true, renamed: false },
      );
      expect(table(tables, nestedSequence).listPath).toEqual([
        'ReferencedStudySequence',
      ]);
    });
  });
}

describe('the schema view of an odd warehouse', () => {
  let connection: DuckDBConnection;

  beforeEach(async () => {
    connection = await open();
    await connection.run(`CREATE SCHEMA ${DATASET}`);
  });

  it('lists views apart, with their columns and types', async () => {
    await commitFixtures(connection, '1.12.7');
    const { tables, views } = await readSchema(connection);

    // the typed views every commit makes (dicomViews.ts)
    expect(views.map((v) => v.name).sort()).toEqual([
      'dicom_instance',
      'dicom_patient',
      'dicom_series',
      'dicom_study',
    ]);
    for (const view of views) {
      expect(tables.map((t) => t.name)).not.toContain(view.name);
    }
    const study = views.find((v) => v.name === 'dicom_study');
    expect(study?.columns).toContainEqual({ name: 'study_date', type: 'DATE' });
    expect(study?.columns).toContainEqual({
      name: 'study_date_raw',
      type: 'VARCHAR',
    });
  });

  it('reads a few hundred tables in four queries', async () => {
    for (let i = 0; i < 300; i++) {
      await connection.run(
        `CREATE TABLE ${DATASET}.studies_detail__list_${i} ` +
          `AS SELECT ${i} AS value, 'p' AS _dlt_parent_id FROM range(${i % 7})`,
      );
    }
    await writeStoredSchema(connection, {
      name: 'orthanc',
      version: 1,
      tables: [],
    });
    const queries: string[] = [];
    const query = catalogQuery(connection);
    const catalog = await readCatalog(async (sql) => {
      queries.push(sql);
      return query(sql);
    });
    const { tables } = warehouseSchema(catalog);

    expect(queries.filter((sql) => sql.startsWith('SELECT'))).toHaveLength(4);
    expect(queries).toHaveLength(6);
    expect(tables).toHaveLength(301);
    expect(table(tables, 'studies_detail__list_12').rowCount).toBe(5);
  });

  it('still lists the tables when the stored schema is unreadable', async () => {
    await commitFixtures(connection, '1.10.1');
    await writeStoredSchema(connection, '{"name": "orthanc", "vers');
    const { tables, storedProblem, storedVersion } =
      await readSchema(connection);
    expect(storedVersion).toBeNull();
    expect(storedProblem).toMatch(/_dlt_version could not be read/);
    expect(table(tables, 'studies_detail').rowCount).toBe(7);
  });
});
