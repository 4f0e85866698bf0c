// The one header that carries a connection's credentials: Basic for a
// username and password, Bearer for a token, or a header the deployment
// names itself. Every request of a connection sends it, and nothing else
// of the credentials leaves the page.

import { WarehouseError } from '../lib/errors';
import { basicAuthorization } from './basicAuth';
import type { TokenAuth } from './connection';

export interface CredentialHeader {
  name: string;
  value: string;
}

/** RFC 9110's token characters: what a header name may hold. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** fetch refuses a header value outside Latin-1 or with control codes. */
const HEADER_VALUE = /^[\x20-\x7e\x80-\xff]*$/;

function checkedValue(value: string): string {
  if (!HEADER_VALUE.test(value)) {
    throw new WarehouseError(
      'bad_request',
      'The token holds characters a header cannot carry: paste it again.',
    );
  }
  return value;
}

/** The header for these credentials, or null when there are none. */
export function credentialHeader(
  username: string,
  password: string,
  tokenAuth?: TokenAuth,
): CredentialHeader | null {
  if (tokenAuth === undefined) {
    const value = basicAuthorization(username, password);
    return value === null ? null : { name: 'Authorization', value };
  }
  if (tokenAuth.kind === 'bearer') {
    const token = tokenAuth.token.trim();
    return token === ''
      ? null
      : { name: 'Authorization', value: `Bearer ${checkedValue(token)}` };
  }

  const name = tokenAuth.name.trim();
  if (!HEADER_NAME.test(name)) {
    throw new WarehouseError(
      'bad_request',
      'The header name is not valid: use letters, digits and dashes, ' +
        'such as "token".',
    );
  }
  const value = tokenAuth.value.trim();
  return value === '' ? null : { name, value: checkedValue(value) };
}

/** What a 401 asks to check, after the kind of credentials sent. */
export function rejectedMessage(credentials: CredentialHeader | null): string {
  if (credentials?.name === 'Authorization') {
    if (credentials.value.startsWith('Bearer ')) {
      return 'Credentials rejected (401): check the token, or get a new one.';
    }
  } else if (credentials !== null) {
    return (
      `Credentials rejected (401): check the ${credentials.name} header, ` +
      'its name and its value.'
    );
  }
  return 'Credentials rejected (401): check the username and password.';
}
