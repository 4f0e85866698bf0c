// The Orthanc servers this page's server proxies, when it names more than
// one (ORTHANC_TARGETS_FILE): choosing one fills the Orthanc URL. The
// list only offers paths on this origin; a URL typed by hand still works.

import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';

import { useAppStore } from '../../store/appStore';
import {
  defaultProxyPath,
  fetchProxyTargets,
  targetOfUrl,
  targetUrl,
} from '../../store/proxyTargets';

export function TargetPicker() {
  const origin = globalThis.location.origin;
  const url = useAppStore((s) => s.url);
  const running = useAppStore((s) => s.load.status === 'running');
  const { data: targets = [] } = useQuery({
    queryKey: ['proxy-targets'],
    queryFn: () => fetchProxyTargets(origin),
    staleTime: Infinity,
    retry: false,
  });

  // With named targets the plain /proxy/orthanc leads nowhere: the
  // untouched default moves to the first target.
  const first = targets[0];
  useEffect(() => {
    if (first === undefined) return;
    const { url: current, setUrl } = useAppStore.getState();
    const untouched = current === `${origin}${defaultProxyPath}`;
    if (untouched && targetOfUrl(targets, current, origin) === undefined) {
      setUrl(targetUrl(first, origin));
    }
  }, [first, targets, origin]);

  if (targets.length < 2) return null;
  const chosen = targetOfUrl(targets, url, origin);
  return (
    <label className="field field-wide">
      <span>Proxied servers</span>
      <select
        value={chosen?.name ?? ''}
        disabled={running}
        onChange={(e) => {
          const target = targets.find((t) => t.name === e.target.value);
          if (target !== undefined) {
            useAppStore.getState().setUrl(targetUrl(target, origin));
          }
        }}
      >
        {chosen === undefined && <option value="">A URL typed below</option>}
        {targets.map((target) => (
          <option key={target.name} value={target.name}>
            {target.name} — {target.url}
          </option>
        ))}
      </select>
    </label>
  );
}
