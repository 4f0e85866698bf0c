// The credentials part of the connection form: a username and password
// (HTTP Basic), a bearer token, or a custom header as Orthanc's
// authorization plugin reads it. They live in memory; "Remember for this
// session" keeps them in this tab's sessionStorage until "Forget".

import { useId } from 'react';

import { useAppStore } from '../../store/appStore';
import type { AuthKind } from '../../store/rememberedCredentials';

const KIND_LABELS: Record<AuthKind, string> = {
  basic: 'Username and password',
  bearer: 'Bearer token',
  header: 'Custom header',
};

export function CredentialFields({ disabled }: { disabled: boolean }) {
  const authKind = useAppStore((s) => s.authKind);
  const username = useAppStore((s) => s.username);
  const password = useAppStore((s) => s.password);
  const token = useAppStore((s) => s.token);
  const headerName = useAppStore((s) => s.headerName);
  const remember = useAppStore((s) => s.rememberCredentials);
  const kindId = useId();
  const {
    setAuthKind,
    setUsername,
    setPassword,
    setToken,
    setHeaderName,
    setRememberCredentials,
    forgetCredentials,
  } = useAppStore.getState();

  return (
    <>
      {/* Not nested in its label: the option shown would join the label's
          name ("Credentials Username and password") and clash with the
          Username field's. */}
      <div className="field field-wide">
        <label htmlFor={kindId}>Credentials</label>
        <select
          id={kindId}
          value={authKind}
          disabled={disabled}
          onChange={(e) => {
            setAuthKind(e.target.value as AuthKind);
          }}
        >
          {Object.entries(KIND_LABELS).map(([kind, label]) => (
            <option key={kind} value={kind}>
              {label}
            </option>
          ))}
        </select>
      </div>

      {authKind === 'basic' && (
        <>
          <label className="field">
            <span>Username</span>
            <input
              type="text"
              autoComplete="username"
              spellCheck={false}
              value={username}
              disabled={disabled}
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
              disabled={disabled}
              onChange={(e) => {
                setPassword(e.target.value);
              }}
            />
          </label>
        </>
      )}

      {authKind === 'bearer' && (
        <label className="field field-wide">
          <span>Token</span>
          <input
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            disabled={disabled}
            onChange={(e) => {
              setToken(e.target.value);
            }}
          />
        </label>
      )}

      {authKind === 'header' && (
        <>
          <label className="field">
            <span>Header name</span>
            <input
              type="text"
              autoComplete="off"
              spellCheck={false}
              value={headerName}
              disabled={disabled}
              onChange={(e) => {
                setHeaderName(e.target.value);
              }}
            />
          </label>
          <label className="field">
            <span>Header value</span>
            <input
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={token}
              disabled={disabled}
              onChange={(e) => {
                setToken(e.target.value);
              }}
            />
          </label>
        </>
      )}

      <div className="remember field-wide">
        <label>
          <input
            type="checkbox"
            checked={remember}
            disabled={disabled}
            onChange={(e) => {
              setRememberCredentials(e.target.checked);
            }}
          />{' '}
          Remember for this session
        </label>
        {remember && (
          <button type="button" disabled={disabled} onClick={forgetCredentials}>
            Forget
          </button>
        )}
      </div>
    </>
  );
}
