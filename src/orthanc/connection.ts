// How to reach one Orthanc. A connection lives in memory only: it is
// handed to the crawl worker in its start message and never stored.

/**
 * Credentials other than a username and password: a bearer token in the
 * Authorization header, or a header of the deployment's own naming (as
 * Orthanc's authorization plugin reads a `token` header).
 */
export type TokenAuth =
  | { kind: 'bearer'; token: string }
  | { kind: 'header'; name: string; value: string };

export interface Connection {
  /** Absolute base URL of the Orthanc REST API, without trailing slash. */
  baseUrl: string;
  username: string;
  password: string;
  /** Sent instead of the username and password, when present. */
  tokenAuth?: TokenAuth;
}

/** What "Test connection" shows: `/system` and `/statistics` together. */
export interface ServerInfo {
  name: string;
  version: string;
  apiVersion: number;
  counts: {
    patients: number;
    studies: number;
    series: number;
    instances: number;
  };
  /** `TotalDiskSize` in bytes; Orthanc sends it as a 64-bit string. */
  diskSizeBytes: bigint;
}
