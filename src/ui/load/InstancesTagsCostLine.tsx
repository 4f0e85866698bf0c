// What loading every tag will cost, shown by its checkbox before a load
// starts: requests and an approximate size from the server's totals, as
// "Test connection" read them.

import { instancesTagsCost } from '../../pipeline/instancesTagsCost';
import { useAppStore } from '../../store/appStore';
import { formatBytes, formatCount } from '../common/format';

export function InstancesTagsCostLine({ id }: { id: string }) {
  const counts = useAppStore((s) => s.serverInfo?.counts ?? null);
  if (counts === null) {
    return (
      <span id={id} className="muted resource-cost">
        Test the connection to see its cost.
      </span>
    );
  }
  const cost = instancesTagsCost(counts);
  return (
    <span id={id} className="resource-cost">
      Cost: {formatCount(cost.requests)}{' '}
      {cost.requests === 1 ? 'request' : 'requests'} (one per series), about{' '}
      {formatBytes(cost.bytes)}.
    </span>
  );
}
