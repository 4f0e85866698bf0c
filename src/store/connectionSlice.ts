// Where the page loads from: the URL and credentials as typed, and what
// "Test connection" found. Credentials live in memory only, unless the
// user ticks "Remember for this session" (see rememberedCredentials.ts).
// Any edit forgets the server info, so "Load" only runs against a
// connection that was tested as typed.

import { toErrorData } from '../lib/errors';
import type { Connection, ServerInfo } from '../orthanc/connection';
import type { CrawlState } from '../pipeline/crawlState';
import { testConnection } from '../orthanc/testConnection';
import { splitCredentials } from './connectionUrl';
import {
  type AuthKind,
  type CredentialForm,
  forgetRemembered,
  readRemembered,
  sessionStore,
  writeRemembered,
} from './rememberedCredentials';
import { parseRequestSettings } from './requestSettings';
import type { Slice } from './slice';

type ServerTotals = NonNullable<CrawlState['statistics']>;

export interface ConnectionSlice extends CredentialForm {
  /** Whether the form is kept in sessionStorage for this tab. */
  rememberCredentials: boolean;
  testing: boolean;
  serverInfo: ServerInfo | null;
  connectionError: string | null;
  setUrl: (url: string) => void;
  setAuthKind: (authKind: AuthKind) => void;
  setUsername: (username: string) => void;
  setPassword: (password: string) => void;
  setToken: (token: string) => void;
  setHeaderName: (headerName: string) => void;
  setRememberCredentials: (remember: boolean) => void;
  /** Clears the credentials from the form and from sessionStorage. */
  forgetCredentials: () => void;
  testConnection: () => Promise<void>;
  /** Shows the totals a load or sync read from the server at its
   *  start, newer than those Test connection read. */
  showServerTotals: (totals: ServerTotals) => void;
  /** The connection as last tested, for a load. */
  connection: () => Connection;
}

/** The page's own proxy to Orthanc (see vite.config.ts, server/). */
function defaultUrl(): string {
  return `${globalThis.location.origin}/proxy/orthanc`;
}

/** The custom header Orthanc's authorization plugin reads by default. */
const DEFAULT_HEADER_NAME = 'token';

function initialForm(): CredentialForm {
  return (
    readRemembered(sessionStore()) ?? {
      url: defaultUrl(),
      authKind: 'basic',
      username: '',
      password: '',
      token: '',
      headerName: DEFAULT_HEADER_NAME,
    }
  );
}

export const createConnectionSlice: Slice<ConnectionSlice> = (set, get) => {
  // Answers to an earlier test are dropped once the form has changed.
  let attempt = 0;
  const remember = () => {
    if (get().rememberCredentials) writeRemembered(sessionStore(), get());
  };
  const edited = (change: Partial<ConnectionSlice>) => {
    attempt++;
    set({ ...change, serverInfo: null, connectionError: null, testing: false });
    remember();
  };
  const form = initialForm();

  return {
    ...form,
    rememberCredentials: readRemembered(sessionStore()) !== null,
    testing: false,
    serverInfo: null,
    connectionError: null,
    setUrl: (url) => {
      edited({ url });
    },
    setAuthKind: (authKind) => {
      edited({ authKind });
    },
    setUsername: (username) => {
      edited({ username });
    },
    setPassword: (password) => {
      edited({ password });
    },
    setToken: (token) => {
      edited({ token });
    },
    setHeaderName: (headerName) => {
      edited({ headerName });
    },
    setRememberCredentials: (rememberCredentials) => {
      set({ rememberCredentials });
      if (rememberCredentials) remember();
      else forgetRemembered(sessionStore());
    },
    forgetCredentials: () => {
      forgetRemembered(sessionStore());
      edited({
        rememberCredentials: false,
        username: '',
        password: '',
        token: '',
      });
    },

    testConnection: async () => {
      const typed = splitCredentials(get());
      const mine = ++attempt;
      set({ ...typed, testing: true, serverInfo: null, connectionError: null });
      remember();
      try {
        // A server slow enough to need a longer timeout for its pages
        // needs it for its first answer too; settings still being typed
        // leave the quick default.
        const parsed = parseRequestSettings(get().requestSettings);
        const info = await testConnection(
          get().connection(),
          parsed.ok
            ? { timeoutMs: Math.round(parsed.settings.timeoutSeconds * 1000) }
            : {},
        );
        if (mine === attempt) set({ serverInfo: info });
      } catch (error) {
        if (mine === attempt) {
          set({ connectionError: toErrorData(error).message });
        }
      } finally {
        if (mine === attempt) set({ testing: false });
      }
    },

    showServerTotals: (totals) => {
      const shown = get().serverInfo;
      if (shown === null) return;
      const { diskSizeBytes, ...counts } = totals;
      set({
        serverInfo: { ...shown, counts, diskSizeBytes: BigInt(diskSizeBytes) },
      });
    },

    connection: () => {
      const { url, authKind, username, password, token, headerName } = get();
      const baseUrl = url.trim().replace(/\/+$/, '');
      if (authKind === 'basic') return { baseUrl, username, password };
      const tokenAuth =
        authKind === 'bearer'
          ? { kind: 'bearer' as const, token }
          : { kind: 'header' as const, name: headerName, value: token };
      return { baseUrl, username: '', password: '', tokenAuth };
    },
  };
};
