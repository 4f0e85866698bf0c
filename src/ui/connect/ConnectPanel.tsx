// The connection form. The password lives in the store's memory only; the
// browser may offer to save it, as for any login form, but the page never
// writes it anywhere.

import { useAppStore } from '../../store/appStore';
import { AdvancedSettings } from './AdvancedSettings';
import { ServerInfoView } from './ServerInfoView';

export function ConnectPanel() {
  const url = useAppStore((s) => s.url);
  const username = useAppStore((s) => s.username);
  const password = useAppStore((s) => s.password);
  const testing = useAppStore((s) => s.testing);
  const serverInfo = useAppStore((s) => s.serverInfo);
  const error = useAppStore((s) => s.connectionError);
  const running = useAppStore((s) => s.load.status === 'running');
  const { setUrl, setUsername, setPassword, testConnection } =
    useAppStore.getState();

  return (
    <section className="card" aria-labelledby="connect-heading">
      <h2 id="connect-heading">Connect</h2>
      <form
        className="connect-form"
        onSubmit={(event) => {
          event.preventDefault();
          void testConnection();
        }}
      >
        <label className="field field-wide">
          <span>Orthanc URL</span>
          <input
            type="text"
            inputMode="url"
            autoComplete="url"
            spellCheck={false}
            value={url}
            disabled={running}
            onChange={(e) => {
              setUrl(e.target.value);
            }}
          />
        </label>
        <label className="field">
          <span>Username</span>
          <input
            type="text"
            autoComplete="username"
            spellCheck={false}
            value={username}
            disabled={running}
            onChange={(e) => {
              setUsername(e.target.value);
            }}
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            disabled={running}
            onChange={(e) => {
              setPassword(e.target.value);
            }}
          />
        </label>
        <div className="actions">
          <button
            type="submit"
            className="primary"
            disabled={testing || running || url.trim() === ''}
          >
            Test connection
          </button>
          {testing && <span className="muted">Connecting…</span>}
        </div>
      </form>
      {error !== null && (
        <p role="alert" className="error-text">
          {error}
        </p>
      )}
      {serverInfo !== null && <ServerInfoView info={serverInfo} />}
      <AdvancedSettings />
    </section>
  );
}
