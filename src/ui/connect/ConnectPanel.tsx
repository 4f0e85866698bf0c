// The connection form. The credentials live in the store's memory only,
// unless the user asks to remember them for the session (see
// CredentialFields); the browser may offer to save a password, as for any
// login form.

import { useAppStore } from '../../store/appStore';
import { AdvancedSettings } from './AdvancedSettings';
import { CredentialFields } from './CredentialFields';
import { ServerInfoView } from './ServerInfoView';
import { TargetPicker } from './TargetPicker';

export function ConnectPanel() {
  const url = useAppStore((s) => s.url);
  const testing = useAppStore((s) => s.testing);
  const serverInfo = useAppStore((s) => s.serverInfo);
  const error = useAppStore((s) => s.connectionError);
  const running = useAppStore((s) => s.load.status === 'running');
  const { setUrl, testConnection } = useAppStore.getState();

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
        <TargetPicker />
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
        <CredentialFields disabled={running} />
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
