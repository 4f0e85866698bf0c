// What the global setup tells the specs through process.env: where the app
// server and its Orthanc are, and the test credentials. Validated on read,
// so that a spec run outside `playwright test` fails with a clear message
// instead of connecting to nowhere.

export type OrthancFlavour = '1.10' | '1.12';

export interface E2eTarget {
  flavour: OrthancFlavour;
  /** The app server, proxying to this target's Orthanc. */
  baseUrl: string;
  /** The Orthanc itself, for direct comparisons from Node. */
  orthancUrl: string;
  orthancUser: string;
  orthancPassword: string;
  /** `Version` from its /system, e.g. "1.12.7". */
  orthancVersion: string;
}

export interface E2eEnv extends E2eTarget {
  /** The 1.12.7 target, when its chroot exists on this machine. */
  orthanc112?: E2eTarget;
  /** Every running target, 1.10 first: specs may loop over them. */
  targets: E2eTarget[];
  /** The built page that the app servers serve. */
  distDir: string;
}

/** The 1.10 target is published under E2E_, the 1.12 one under E2E_112_. */
const prefixes: Record<OrthancFlavour, string> = {
  '1.10': 'E2E_',
  '1.12': 'E2E_112_',
};

const suffixes = {
  baseUrl: 'BASE_URL',
  orthancUrl: 'ORTHANC_URL',
  orthancUser: 'ORTHANC_USER',
  orthancPassword: 'ORTHANC_PASSWORD',
  orthancVersion: 'ORTHANC_VERSION',
} as const;

/** Sets the variables of one target; the global setup calls this. */
export function publishTarget(target: E2eTarget): void {
  const prefix = prefixes[target.flavour];
  for (const [field, suffix] of Object.entries(suffixes)) {
    process.env[`${prefix}${suffix}`] = target[field as keyof typeof suffixes];
  }
}

function read(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(
      `${name} is not set: run the specs with "npx playwright test", ` +
        'whose global setup starts Orthanc and the app server.',
    );
  }
  return value;
}

function readUrl(name: string): string {
  const url = new URL(read(name));
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${name} must be an http(s) URL`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new Error(`${name} must not carry credentials`);
  }
  return url.href.replace(/\/+$/, '');
}

function readTarget(flavour: OrthancFlavour): E2eTarget {
  const prefix = prefixes[flavour];
  return {
    flavour,
    baseUrl: readUrl(`${prefix}${suffixes.baseUrl}`),
    orthancUrl: readUrl(`${prefix}${suffixes.orthancUrl}`),
    orthancUser: read(`${prefix}${suffixes.orthancUser}`),
    orthancPassword: read(`${prefix}${suffixes.orthancPassword}`),
    orthancVersion: read(`${prefix}${suffixes.orthancVersion}`),
  };
}

export function e2eEnv(): E2eEnv {
  const main = readTarget('1.10');
  const has112 = (process.env.E2E_112_BASE_URL ?? '') !== '';
  const orthanc112 = has112 ? readTarget('1.12') : undefined;
  return {
    ...main,
    ...(orthanc112 ? { orthanc112 } : {}),
    targets: orthanc112 ? [main, orthanc112] : [main],
    distDir: read('E2E_DIST_DIR'),
  };
}
