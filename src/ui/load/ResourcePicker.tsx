// Which resources a load fetches: one checkbox per resource, named after
// its table, with what it brings; every tag of every instance, which is
// off by default, also shows its cost. A resource left out of a load
// leaves its table as it was.

import { RESOURCES } from '../../pipeline/resources';
import { useAppStore } from '../../store/appStore';
import { InstancesTagsCostLine } from './InstancesTagsCostLine';
import { describeResource } from './resourceDescriptions';

export function ResourcePicker({ disabled }: { disabled: boolean }) {
  const selected = useAppStore((s) => s.selectedResources);
  const { setSelectedResources } = useAppStore.getState();

  const toggle = (name: string, on: boolean) => {
    setSelectedResources(
      on ? [...selected, name] : selected.filter((n) => n !== name),
    );
  };

  return (
    <fieldset className="resources" disabled={disabled}>
      <legend>Resources</legend>
      <div className="actions">
        <button
          type="button"
          onClick={() => {
            setSelectedResources(RESOURCES.map((r) => r.name));
          }}
        >
          All
        </button>
        <button
          type="button"
          onClick={() => {
            setSelectedResources([]);
          }}
        >
          None
        </button>
      </div>
      <ul className="resource-list">
        {RESOURCES.map((resource) => {
          const about = `resource-${resource.name}-about`;
          const cost = `resource-${resource.name}-cost`;
          const costed = resource.name === 'instances_tags';
          return (
            <li key={resource.name}>
              <label>
                <input
                  type="checkbox"
                  checked={selected.includes(resource.name)}
                  aria-describedby={costed ? `${about} ${cost}` : about}
                  onChange={(event) => {
                    toggle(resource.name, event.target.checked);
                  }}
                />
                <code>{resource.table}</code>
              </label>
              <span id={about} className="muted">
                {describeResource(resource.name, resource.path)}
              </span>
              {costed && <InstancesTagsCostLine id={cost} />}
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
