// What the tested server says about itself. Counts are printed without
// digit grouping, exactly as Orthanc's /statistics gives them.

import type { ServerInfo } from '../../orthanc/connection';
import { formatBytes } from '../common/format';

export function ServerInfoView({ info }: { info: ServerInfo }) {
  const counts: [string, number][] = [
    ['Patients', info.counts.patients],
    ['Studies', info.counts.studies],
    ['Series', info.counts.series],
    ['Instances', info.counts.instances],
  ];
  return (
    <section className="server-info" aria-label="Server">
      <p className="server-name">
        <strong>{info.name}</strong>{' '}
        <span className="muted">
          Orthanc {info.version} · API {info.apiVersion} ·{' '}
          {formatBytes(info.diskSizeBytes)} on disk
        </span>
      </p>
      <dl className="counts">
        {counts.map(([label, n]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{n}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
