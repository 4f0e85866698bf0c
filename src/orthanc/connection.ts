// How to reach one Orthanc. A connection lives in memory only: it is
// handed to the crawl worker in its start message and never stored.

export interface Connection {
  /** Absolute base URL of the Orthanc REST API, without trailing slash. */
  baseUrl: string;
  username: string;
  password: string;
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
