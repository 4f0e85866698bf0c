// Direct calls to the test Orthanc from Node, so that specs compare what
// the page shows with what the server itself says.

export interface OrthancAccess {
  url: string;
  username: string;
  password: string;
}

export async function orthancJson<T>(
  access: OrthancAccess,
  path: string,
): Promise<T> {
  const token = Buffer.from(`${access.username}:${access.password}`).toString(
    'base64',
  );
  const response = await fetch(`${access.url}${path}`, {
    headers: { Authorization: `Basic ${token}` },
  });
  if (!response.ok) {
    throw new Error(`GET ${path} answered ${response.status}`);
  }
  return (await response.json()) as T;
}

export interface Statistics {
  CountPatients: number;
  CountStudies: number;
  CountSeries: number;
  CountInstances: number;
}

export interface SeriesDetail {
  ID: string;
  ParentStudy: string;
  MainDicomTags: Record<string, string | undefined>;
}

export interface StudyDetail {
  ID: string;
  ParentPatient: string;
  MainDicomTags: Record<string, string | undefined>;
}

export interface PatientDetail {
  ID: string;
  MainDicomTags: Record<string, string | undefined>;
}
