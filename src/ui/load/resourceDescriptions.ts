// What each resource of a load brings, in a line, for the resource
// picker. Keyed by resource name; a resource without a line here shows
// its REST path instead.

const DESCRIPTIONS: Record<string, string> = {
  patients_detail: 'One row per patient, with its main DICOM tags.',
  studies_detail: 'One row per study, with its main DICOM tags.',
  series_detail: 'One row per series, with its main DICOM tags.',
  instances_detail: 'One row per instance: file size, index, main tags.',
  patients: 'The IDs of the patients.',
  studies: 'The IDs of the studies.',
  series: 'The IDs of the series.',
  instances: 'The IDs of the instances.',
  instances_tags:
    'Every DICOM tag of every instance, sequences as child tables.',
  modalities: 'The DICOM modalities the server knows.',
  changes: "The server's change log.",
  exports: 'The log of resources the server sent elsewhere.',
  queries_answers: 'The answers of the queries the server keeps.',
  tools_metrics_prometheus: "One row per sample of the server's metrics.",
};

export function describeResource(name: string, path: string): string {
  return DESCRIPTIONS[name] ?? `Read from ${path}.`;
}
