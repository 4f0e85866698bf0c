// The Advanced block of the Connect panel: how many requests a load runs
// at once, how long one request may take, how often a failed one is
// tried again, and the memory DuckDB may use. A value out of range says
// what is allowed, and a load does not start until it is fixed.

import { useAppStore } from '../../store/appStore';
import {
  REQUEST_SETTING_LIMITS,
  requestSettingError,
  type RequestSettingName,
} from '../../store/requestSettings';

const NAMES = Object.keys(REQUEST_SETTING_LIMITS) as RequestSettingName[];

const LABELS: Record<RequestSettingName, string> = {
  concurrency: 'Concurrency',
  timeoutSeconds: 'Request timeout (s)',
  retries: 'Retries',
  memoryLimitMb: 'Memory limit (MB)',
};

export function AdvancedSettings() {
  const settings = useAppStore((s) => s.requestSettings);
  const running = useAppStore((s) => s.load.status === 'running');
  const { setRequestSetting, resetRequestSettings } = useAppStore.getState();
  const errors = NAMES.map((name) =>
    requestSettingError(name, settings[name]),
  ).filter((error) => error !== null);

  return (
    <details className="advanced" aria-labelledby="advanced-heading">
      <summary id="advanced-heading">Advanced</summary>
      <p className="muted">
        A load sends at most <em>Concurrency</em> requests at once. A request
        that gets no answer within the timeout, loses its connection or gets a
        429 or 5xx answer is tried again up to <em>Retries</em> times, waiting
        longer each time (0.5 s, 1 s, 2 s… at most 8 s). Refused credentials
        (401) stop the load at once. The warehouse's database keeps within the{' '}
        <em>Memory limit</em>: a load that needs more stops, and the tables stay
        as they were.
      </p>
      <div className="advanced-fields">
        {NAMES.map((name) => {
          const limit = REQUEST_SETTING_LIMITS[name];
          return (
            <label className="field" key={name}>
              <span>{LABELS[name]}</span>
              <input
                type="number"
                inputMode={limit.whole ? 'numeric' : 'decimal'}
                min={limit.min}
                max={limit.max}
                step={limit.whole ? 1 : 'any'}
                value={settings[name]}
                disabled={running}
                aria-invalid={
                  requestSettingError(name, settings[name]) !== null
                }
                onChange={(e) => {
                  setRequestSetting(name, e.target.value);
                }}
              />
            </label>
          );
        })}
      </div>
      {errors.length > 0 && (
        <p role="alert" className="error-text">
          {errors.join(' ')}
        </p>
      )}
      <div className="actions">
        <button type="button" disabled={running} onClick={resetRequestSettings}>
          Restore defaults
        </button>
      </div>
    </details>
  );
}
