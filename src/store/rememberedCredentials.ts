// "Remember for this session": the connection form, credentials included,
// kept in sessionStorage so that a reload of this tab finds it filled in.
// It is opt-in and the only place the page ever writes credentials to:
// sessionStorage belongs to the tab and is gone when the tab closes, and
// "Forget" removes it at once. Without the opt-in nothing is written and
// the credentials live in memory only.

export type AuthKind = 'basic' | 'bearer' | 'header';

export interface CredentialForm {
  url: string;
  authKind: AuthKind;
  username: string;
  password: string;
  /** The bearer token, or the custom header's value. */
  token: string;
  /** The custom header's name, as the deployment expects it. */
  headerName: string;
}

export const REMEMBER_KEY = 'orthanc-warehouse.credentials';

/** The part of sessionStorage this module uses. */
export interface CredentialStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const KINDS: readonly string[] = ['basic', 'bearer', 'header'];

/** The remembered form, or null when nothing (valid) is remembered. */
export function readRemembered(
  storage: CredentialStorage | undefined,
): CredentialForm | null {
  const text = storage?.getItem(REMEMBER_KEY) ?? null;
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const form = value as Record<string, unknown>;
  const fields = ['url', 'username', 'password', 'token', 'headerName'];
  if (fields.some((field) => typeof form[field] !== 'string')) return null;
  if (typeof form.authKind !== 'string' || !KINDS.includes(form.authKind)) {
    return null;
  }
  return form as unknown as CredentialForm;
}

export function writeRemembered(
  storage: CredentialStorage | undefined,
  form: CredentialForm,
): void {
  const { url, authKind, username, password, token, headerName } = form;
  storage?.setItem(
    REMEMBER_KEY,
    JSON.stringify({ url, authKind, username, password, token, headerName }),
  );
}

export function forgetRemembered(storage: CredentialStorage | undefined) {
  storage?.removeItem(REMEMBER_KEY);
}

/** The tab's sessionStorage, or undefined where there is none or it is
 *  blocked (some browsers throw on access when site data is refused). */
export function sessionStore(): CredentialStorage | undefined {
  try {
    return (globalThis as { sessionStorage?: CredentialStorage })
      .sessionStorage;
  } catch {
    return undefined;
  }
}
