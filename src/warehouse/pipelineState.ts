// The pipeline state between loads, in dlt's `_dlt_pipeline_state`: one
// row per version of the state, the newest holding what the next load
// needs (the last Seq read of each log, the cursor of an incremental sync,
// and the server's totals the last load saw). A load that read a log
// moves its cursor; a log it did not read keeps the cursor it had.
//
// dlt compresses the state and stores it as base64; here `state` is the
// plain JSON text, readable as it is (DuckDB-WASM has no JSON functions
// offline, but the text can be read, searched and exported).

import type { AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';

import { WarehouseError } from '../lib/errors';
import { digest128 } from '../lib/shake128';
import type { CrawlState } from '../pipeline/crawlState';
import { randomRowId } from '../pipeline/rowId';
import { resultColumn } from './resultColumn';
import { canonicalJson } from './schemaVersion';
import { DATASET, qualified, quoteLiteral } from './sql';
import type { SqlColumn } from './sql';

export const STATE_TABLE = '_dlt_pipeline_state';

/** dlt's columns of `_dlt_pipeline_state`. */
export const stateColumns: SqlColumn[] = [
  { name: 'version', sqlType: 'BIGINT NOT NULL' },
  { name: 'engine_version', sqlType: 'BIGINT NOT NULL' },
  { name: 'pipeline_name', sqlType: 'VARCHAR NOT NULL' },
  { name: 'state', sqlType: 'VARCHAR NOT NULL' },
  { name: 'created_at', sqlType: 'TIMESTAMP WITH TIME ZONE NOT NULL' },
  { name: 'version_hash', sqlType: 'VARCHAR' },
  { name: '_dlt_load_id', sqlType: 'VARCHAR NOT NULL' },
  { name: '_dlt_id', sqlType: 'VARCHAR NOT NULL' },
];

export const PIPELINE_NAME = 'orthanc';
/** dlt's engine version of the state layout below. */
const STATE_ENGINE_VERSION = 4;

/** A log's cursor, where dlt keeps an incremental's last value. */
interface ResourceState {
  incremental: { Seq: { last_value: number } };
}

/** The state, laid out as dlt lays out a pipeline's state. */
export interface PipelineState {
  _state_version: number;
  _state_engine_version: number;
  pipeline_name: string;
  dataset_name: string;
  default_schema_name: string;
  schema_names: string[];
  sources: {
    orthanc: {
      resources: Record<string, ResourceState>;
      statistics: CrawlState['statistics'];
      /** The resources of the last load that read the change log: what
       *  a sync refreshes (see CrawlState.resources). */
      sync_resources?: string[];
    };
  };
}

/** The newest state and its hash, or null before the first load. */
export interface StoredState {
  state: PipelineState;
  hash: string;
}

/** A row to write: the state changed. */
export interface StateRow extends StoredState {
  loadId: string;
}

/** The digest of the state's content, its version number aside. */
function stateHash(state: PipelineState): string {
  return digest128(canonicalJson({ ...state, _state_version: 0 }), 32);
}

/** A PipelineState from its JSON text; throws if it is not one. */
export function parsePipelineState(text: string): PipelineState {
  const state = JSON.parse(text) as Partial<PipelineState> | null;
  const source = state?.sources?.orthanc;
  if (
    typeof state?._state_version !== 'number' ||
    typeof source?.resources !== 'object'
  ) {
    throw new WarehouseError(
      'internal',
      `The pipeline state in ${STATE_TABLE} is not one this version ` +
        'reads: start from an empty warehouse (reload the page) and load ' +
        'again.',
    );
  }
  return state as PipelineState;
}

/**
 * The state after a load that reported `crawl`, or null when it says
 * nothing the stored state does not already say.
 */
export function nextPipelineState(
  previous: StoredState | null,
  crawl: CrawlState,
  loadId: string,
): StateRow | null {
  const before = previous?.state.sources.orthanc;
  const resources = { ...before?.resources };
  for (const [name, seq] of Object.entries(crawl.cursors)) {
    resources[name] = { incremental: { Seq: { last_value: seq } } };
  }
  const readLog = crawl.cursors.changes !== undefined;
  const syncResources =
    readLog && crawl.resources ? crawl.resources : before?.sync_resources;
  const state: PipelineState = {
    _state_version: (previous?.state._state_version ?? 0) + 1,
    _state_engine_version: STATE_ENGINE_VERSION,
    pipeline_name: PIPELINE_NAME,
    dataset_name: DATASET,
    default_schema_name: 'orthanc',
    schema_names: ['orthanc'],
    sources: {
      orthanc: {
        resources,
        statistics: crawl.statistics ?? before?.statistics ?? null,
        ...(syncResources ? { sync_resources: [...syncResources] } : {}),
      },
    },
  };
  const hash = stateHash(state);
  return hash === previous?.hash ? null : { state, hash, loadId };
}

export function recordStateSql(row: StateRow): string {
  const values = [
    String(row.state._state_version),
    String(row.state._state_engine_version),
    quoteLiteral(row.state.pipeline_name),
    quoteLiteral(JSON.stringify(row.state)),
    'now()',
    quoteLiteral(row.hash),
    quoteLiteral(row.loadId),
    quoteLiteral(randomRowId()),
  ];
  const names = stateColumns.map((column) => column.name).join(', ');
  return (
    `INSERT INTO ${qualified(DATASET, STATE_TABLE)} (${names}) ` +
    `VALUES (${values.join(', ')})`
  );
}

/** The newest stored state, or null before the first load. */
export async function readPipelineState(
  connection: AsyncDuckDBConnection,
): Promise<StoredState | null> {
  const exists = await connection.query(
    `SELECT count(*) AS n FROM duckdb_tables() ` +
      `WHERE schema_name = ${quoteLiteral(DATASET)} ` +
      `AND table_name = ${quoteLiteral(STATE_TABLE)}`,
  );
  if (Number(resultColumn(exists, 'n')[0] ?? 0) === 0) return null;

  const result = await connection.query(
    `SELECT state, version_hash FROM ${qualified(DATASET, STATE_TABLE)} ` +
      `ORDER BY version DESC LIMIT 1`,
  );
  const text = resultColumn(result, 'state')[0];
  const hash = resultColumn(result, 'version_hash')[0];
  if (typeof text !== 'string') return null;
  const state = parsePipelineState(text);
  return { state, hash: typeof hash === 'string' ? hash : stateHash(state) };
}
