// Starts a real, throwaway Orthanc for tests, fixtures and the demo: a
// fresh folder for its storage, index and configuration, a free loopback
// port, Basic authentication on. Two flavours: Debian 12's 1.10.1 from
// /usr/sbin, and Debian 13's 1.12.7 run in a chroot (see
// setupOrthanc112.ts), because users meet both. A server can be halted
// and resumed on the same port and storage, as a restart mid-load does.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export type OrthancFlavour = '1.10' | '1.12';

export const repoRoot = resolve(import.meta.dirname, '..');
export const chrootDir = join(repoRoot, '.orthanc', 'trixie');
export const orthanc110Binary = '/usr/sbin/Orthanc';
export const orthanc112Binary = join(chrootDir, 'usr', 'sbin', 'Orthanc');

export interface OrthancOptions {
  flavour?: OrthancFlavour;
  username?: string;
  /** A random one when absent. */
  password?: string;
  /** Port to use when it is free; any free port otherwise. */
  preferredPort?: number;
  /** Seconds before a patient, study or series counts as stable. */
  stableAge?: number;
  /** Extra configuration keys, e.g. DicomModalities. */
  config?: Record<string, unknown>;
  /**
   * Runs the DICOM server too, on a free port, and declares the server
   * itself as the modality `self` with this AET, so that queries and
   * C-STOREs to `self` fill /queries and /exports. The DICOM port listens
   * on every interface (Orthanc cannot bind it to loopback only).
   */
  selfAet?: string;
  /** Longest wait for the first answer to GET /system. */
  startTimeoutMs?: number;
}

export interface OrthancServer {
  flavour: OrthancFlavour;
  /** Base URL of the REST API, without trailing slash. */
  url: string;
  port: number;
  username: string;
  password: string;
  /** `Version` from /system, e.g. "1.10.1". */
  version: string;
  apiVersion: number;
  /** The DICOM port, when `selfAet` was given. */
  dicomPort?: number;
  /** Stops the process and keeps its storage, for `resume`. */
  halt(): Promise<void>;
  /** Starts a halted server again on the same port and storage; resolves
   *  once it answers GET /system. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** Whether this machine can run the given flavour right now. */
export function hasFlavour(flavour: OrthancFlavour): boolean {
  if (flavour === '1.10') return existsSync(orthanc110Binary);
  return existsSync(orthanc112Binary) && process.getuid?.() === 0;
}

/** The Basic Authorization header value for a server's user. */
export function basicAuth(server: {
  username: string;
  password: string;
}): string {
  const token = Buffer.from(`${server.username}:${server.password}`);
  return `Basic ${token.toString('base64')}`;
}

/** A port nobody listens on right now, found by binding port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address !== null && typeof address === 'object') {
          resolvePort(address.port);
        } else {
          reject(new Error('could not read the probed port'));
        }
      });
    });
  });
}

/** Whether `port` can be bound on loopback at this moment. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', () => {
      resolveFree(false);
    });
    probe.listen(port, '127.0.0.1', () => {
      probe.close(() => {
        resolveFree(true);
      });
    });
  });
}

// Orthancs still running when this process exits are killed, so that a
// crashed test run leaves no server listening behind it; the folders of
// halted ones are removed too.
const running = new Map<ChildProcess, string>();
const halted = new Set<string>();
process.once('exit', () => {
  for (const [child, folder] of running) {
    child.kill('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  }
  for (const folder of halted) rmSync(folder, { recursive: true, force: true });
});

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveExit();
    });
  });
}

interface Launch {
  child: ChildProcess;
  /** Folder on the host that holds everything this server writes. */
  folder: string;
  output: () => string;
}

/** A fresh folder with the configuration and empty storage folders. */
async function prepare(
  flavour: OrthancFlavour,
  config: Record<string, unknown>,
): Promise<string> {
  // The 1.12 binary sees the chroot as its root: its folder must be inside.
  const parent = flavour === '1.12' ? join(chrootDir, 'tmp') : tmpdir();
  await mkdir(parent, { recursive: true });
  const folder = await mkdtemp(join(parent, 'orthanc-'));
  const seen = seenPath(flavour, folder);
  await mkdir(join(folder, 'storage'));
  await mkdir(join(folder, 'index'));
  const fullConfig = {
    ...config,
    StorageDirectory: `${seen}/storage`,
    IndexDirectory: `${seen}/index`,
  };
  await writeFile(
    join(folder, 'config.json'),
    JSON.stringify(fullConfig, null, 2),
    { mode: 0o600 },
  );
  return folder;
}

/** The folder as the server sees it: inside the chroot for 1.12. */
function seenPath(flavour: OrthancFlavour, folder: string): string {
  return flavour === '1.12' ? folder.slice(chrootDir.length) : folder;
}

/** Runs Orthanc on a folder that `prepare` made. */
function launch(flavour: OrthancFlavour, folder: string): Launch {
  const config = `${seenPath(flavour, folder)}/config.json`;
  const [command, args] =
    flavour === '1.12'
      ? ['chroot', [chrootDir, '/usr/sbin/Orthanc', config]]
      : [orthanc110Binary, [config]];
  const child = spawn(command, args, {
    cwd: folder,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.set(child, folder);

  // Keep the end of the log for the error message if start-up fails.
  let log = '';
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { child, folder, output: () => log };
}

async function waitForSystem(
  url: string,
  auth: string,
  started: Launch,
  timeoutMs: number,
): Promise<{ Version: string; ApiVersion: number }> {
  const deadline = Date.now() + timeoutMs;
  // Set from the exit event, read after each await.
  const state = { exited: false };
  started.child.once('exit', () => {
    state.exited = true;
  });
  while (Date.now() < deadline && !state.exited) {
    try {
      const response = await fetch(`${url}/system`, {
        headers: { Authorization: auth },
        signal: AbortSignal.timeout(2000),
      });
      if (response.ok) {
        return (await response.json()) as {
          Version: string;
          ApiVersion: number;
        };
      }
      // Anything but 200 from a fresh server is a configuration fault.
      throw new Error(`GET /system answered ${response.status}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      if (message.startsWith('GET /system')) throw error;
    }
    await new Promise((wake) => setTimeout(wake, 100));
  }
  const why = state.exited ? 'exited during start-up' : 'did not answer';
  throw new Error(`Orthanc ${why}. Its log ends with:\n${started.output()}`);
}

/** Stops the process; its folder stays. */
async function haltLaunch(started: Launch): Promise<void> {
  started.child.kill('SIGTERM');
  await waitForExit(started.child, 10_000);
  running.delete(started.child);
}

async function stopLaunch(started: Launch): Promise<void> {
  await haltLaunch(started);
  halted.delete(started.folder);
  await rm(started.folder, { recursive: true, force: true });
}

/** The configuration of a DICOM server that knows itself as `self`. */
async function selfModality(
  aet: string,
  httpPort: number,
): Promise<{ port: number; config: Record<string, unknown> }> {
  let port = await freePort();
  while (port === httpPort) port = await freePort();
  return {
    port,
    config: {
      DicomServerEnabled: true,
      DicomPort: port,
      DicomAet: aet,
      DicomModalities: { self: [aet, '127.0.0.1', port] },
      // every C-STORE is logged, which fills /exports
      LogExportedResources: true,
    },
  };
}

/** Starts a fresh Orthanc and resolves once it answers GET /system. */
export async function startOrthanc(
  options: OrthancOptions = {},
): Promise<OrthancServer> {
  const flavour = options.flavour ?? '1.10';
  if (flavour === '1.10' && !existsSync(orthanc110Binary)) {
    throw new Error(
      `${orthanc110Binary} is missing: install it with "apt-get install orthanc".`,
    );
  }
  if (flavour === '1.12' && !existsSync(orthanc112Binary)) {
    throw new Error(
      'The Orthanc 1.12 chroot is missing: run "npm run setup:orthanc-1.12".',
    );
  }
  if (flavour === '1.12' && process.getuid?.() !== 0) {
    throw new Error('Orthanc 1.12 runs in a chroot, which needs root.');
  }
  const username = options.username ?? 'user';
  const password = options.password ?? randomBytes(12).toString('base64url');
  const auth = basicAuth({ username, password });

  // Another process may take a probed port before Orthanc binds it: then
  // Orthanc exits at once and a new port is tried.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const preferred = options.preferredPort;
    const usePreferred =
      attempt === 0 && preferred !== undefined && (await isPortFree(preferred));
    const port = usePreferred ? preferred : await freePort();
    const dicom = options.selfAet
      ? await selfModality(options.selfAet, port)
      : undefined;
    const config = {
      Name: 'orthanc-warehouse-test',
      HttpPort: port,
      DicomServerEnabled: false,
      Plugins: [],
      AuthenticationEnabled: true,
      RemoteAccessAllowed: false,
      RegisteredUsers: { [username]: password },
      SaveJobs: false,
      StableAge: options.stableAge ?? 2,
      ...dicom?.config,
      ...options.config,
    };
    const folder = await prepare(flavour, config);
    let current = launch(flavour, folder);
    const url = `http://127.0.0.1:${port}`;
    const startTimeoutMs = options.startTimeoutMs ?? 30_000;
    try {
      const system = await waitForSystem(url, auth, current, startTimeoutMs);
      let stopping: Promise<void> | undefined;
      return {
        flavour,
        url,
        port,
        username,
        password,
        version: system.Version,
        apiVersion: system.ApiVersion,
        ...(dicom ? { dicomPort: dicom.port } : {}),
        halt: async () => {
          halted.add(folder);
          await haltLaunch(current);
        },
        resume: async () => {
          if (current.child.exitCode === null && !current.child.signalCode) {
            return;
          }
          current = launch(flavour, folder);
          halted.delete(folder);
          await waitForSystem(url, auth, current, startTimeoutMs);
        },
        stop: () => (stopping ??= stopLaunch(current)),
      };
    } catch (error) {
      lastError = error;
      await stopLaunch(current);
    }
  }
  throw lastError;
}
