// Where the requests of a connection go, and with which credentials. A
// base URL typed as `https://user:pass@host/orthanc/` works too: the user
// info moves into the Basic header (unless a token is chosen) and leaves the URL, so it never shows
// in a request line, a log or an error message (fetch would also refuse a
// URL that holds credentials).

import { WarehouseError } from '../lib/errors';
import type { Connection } from './connection';
import { type CredentialHeader, credentialHeader } from './credentialHeader';

export interface Endpoint {
  /** Absolute base URL without credentials or trailing slash. */
  baseUrl: string;
  /** The header every request sends, or null without credentials. */
  credentials: CredentialHeader | null;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Parses a relative base URL against the page, where there is one. */
function parseUrl(baseUrl: string): URL | null {
  try {
    return new URL(baseUrl);
  } catch {
    const here = (globalThis as { location?: { href: string } }).location;
    if (!here) return null;
    try {
      return new URL(baseUrl, here.href);
    } catch {
      return null;
    }
  }
}

export function endpointOf(connection: Connection): Endpoint {
  const url = parseUrl(connection.baseUrl.trim());
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new WarehouseError(
      'bad_request',
      'The server URL is not valid: enter an http:// or https:// address.',
    );
  }

  let { username, password } = connection;
  if (url.username !== '' || url.password !== '') {
    if (username === '' && password === '') {
      username = decode(url.username);
      password = decode(url.password);
    }
    url.username = '';
    url.password = '';
  }

  url.hash = '';
  url.search = '';
  const baseUrl = url.href.replace(/\/+$/, '');
  return {
    baseUrl,
    credentials: credentialHeader(username, password, connection.tokenAuth),
  };
}
