// Where the page loads from: the URL and credentials as typed (in memory
// only, never persisted), and what "Test connection" found. Any edit
// forgets the server info, so "Load" only runs against a connection that
// was tested as typed.

import { toErrorData } from '../lib/errors';
import type { Connection, ServerInfo } from '../orthanc/connection';
import { testConnection } from '../orthanc/testConnection';
import { splitCredentials } from './connectionUrl';
import { parseRequestSettings } from './requestSettings';
import type { Slice } from './slice';

export interface ConnectionSlice {
  url: string;
  username: string;
  password: string;
  testing: boolean;
  serverInfo: ServerInfo | null;
  connectionError: string | null;
  setUrl: (url: string) => void;
  setUsername: (username: string) => void;
  setPassword: (password: string) => void;
  testConnection: () => Promise<void>;
  /** The connection as last tested, for a load. */
  connection: () => Connection;
}

/** The page's own proxy to Orthanc (see vite.config.ts, server/). */
function defaultUrl(): string {
  return `${globalThis.location.origin}/proxy/orthanc`;
}

export const createConnectionSlice: Slice<ConnectionSlice> = (set, get) => {
  // Answers to an earlier test are dropped once the form has changed.
  let attempt = 0;
  const edited = (change: Partial<ConnectionSlice>) => {
    attempt++;
    set({ ...change, serverInfo: null, connectionError: null, testing: false });
  };

  return {
    url: defaultUrl(),
    username: '',
    password: '',
    testing: false,
    serverInfo: null,
    connectionError: null,
    setUrl: (url) => {
      edited({ url });
    },
    setUsername: (username) => {
      edited({ username });
    },
    setPassword: (password) => {
      edited({ password });
    },

    testConnection: async () => {
      const typed = splitCredentials(get());
      const mine = ++attempt;
      set({ ...typed, testing: true, serverInfo: null, connectionError: null });
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

    connection: () => {
      const { url, username, password } = get();
      return { baseUrl: url.trim().replace(/\/+$/, ''), username, password };
    },
  };
};
