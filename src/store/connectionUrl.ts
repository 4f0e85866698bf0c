// A URL typed with credentials in it (`https://demo:demo@host/orthanc/`)
// is split before anything else sees it: the user and password go to their
// own fields and the URL field keeps the address only, so the password is
// never shown, stored in the URL, or sent in a request line.

export interface TypedConnection {
  url: string;
  username: string;
  password: string;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * Moves credentials out of `url`. Fields the user filled in win over the
 * URL's; the URL loses its credentials either way. A URL that does not
 * parse is returned as typed, for the connection test to report.
 */
export function splitCredentials(typed: TypedConnection): TypedConnection {
  const text = typed.url.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ...typed, url: text };
  }
  if (url.username === '' && url.password === '') {
    return { ...typed, url: text };
  }
  const fromUrl = typed.username === '' && typed.password === '';
  const username = fromUrl ? decode(url.username) : typed.username;
  const password = fromUrl ? decode(url.password) : typed.password;
  url.username = '';
  url.password = '';
  return { url: url.href, username, password };
}
