// HTTP Basic credentials. `btoa` alone only takes Latin-1 text and throws
// on anything else, so the user and password are encoded as UTF-8 bytes
// first (RFC 7617 with charset UTF-8), which is what Orthanc compares.

import { bytesToBase64 } from '../lib/shake128';

const encoder = new TextEncoder();

/** The Authorization header value, or null when there are no credentials. */
export function basicAuthorization(
  username: string,
  password: string,
): string | null {
  if (username === '' && password === '') return null;
  return `Basic ${bytesToBase64(encoder.encode(`${username}:${password}`))}`;
}
