// Debian's nginx running the shipped deploy/nginx/orthanc-cors.conf, as
// this user's own process on a loopback port. Only the three places the
// file marks for the operator are filled in (origins, upstream, port);
// when one is not found exactly once the start fails, so the tests can
// never run a configuration other than the one users get.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, repoRoot } from '../scripts/orthanc.ts';

export const shippedConfig = join(
  repoRoot,
  'deploy',
  'nginx',
  'orthanc-cors.conf',
);
const nginxBinary = '/usr/sbin/nginx';

export interface NginxOptions {
  /** Orthanc's host:port, e.g. "127.0.0.1:8042". */
  upstream: string;
  /** Page origins allowed to call Orthanc through it. */
  origins: readonly string[];
  /** A free port chosen beforehand; one is picked when absent. */
  port?: number;
}

export interface RunningNginx {
  /** e.g. "http://127.0.0.1:41234" (Orthanc is under /orthanc/). */
  url: string;
  /** Request lines ("GET /orthanc/system HTTP/1.1") seen so far. */
  requestLines(): string[];
  stop(): Promise<void>;
}

/** Replaces the line ending in `# marker` with `lines`, indented alike. */
function fill(config: string, marker: string, lines: string[]): string {
  const pattern = new RegExp(`^([ \\t]*)\\S.*#\\s*${marker}[ \\t]*$`, 'gm');
  const found = config.match(pattern) ?? [];
  if (found.length !== 1) {
    throw new Error(
      `${shippedConfig}: expected one line marked "# ${marker}", found ${found.length}`,
    );
  }
  return config.replace(pattern, (_line, indent: string) =>
    lines.map((line) => `${indent}${line}`).join('\n'),
  );
}

export function filledConfig(
  options: Required<NginxOptions>,
  source = readFileSync(shippedConfig, 'utf8'),
): string {
  let config = fill(
    source,
    'origins',
    options.origins.map((origin) => `"${origin}" $http_origin;`),
  );
  config = fill(config, 'upstream', [`server ${options.upstream};`]);
  return fill(config, 'port', [`listen 127.0.0.1:${options.port};`]);
}

/** The http block around the shipped server, with every path in `dir`. */
function mainConfig(dir: string): string {
  const root = process.getuid?.() === 0;
  return [
    'daemon off;',
    // As root, nginx would hand the workers to "nobody", who cannot
    // enter this private temporary folder.
    ...(root ? ['user root;'] : []),
    'worker_processes 1;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${dir}/access.log;`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
      (kind) => `  ${kind}_temp_path ${dir}/temp/${kind};`,
    ),
    `  include ${dir}/orthanc-cors.conf;`,
    '}',
    '',
  ].join('\n');
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
}

export async function startNginx(options: NginxOptions): Promise<RunningNginx> {
  if (!existsSync(nginxBinary)) {
    throw new Error(`${nginxBinary} is missing: apt-get install nginx`);
  }
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'nginx-cors-'));
  mkdirSync(join(dir, 'temp'));
  await writeFile(
    join(dir, 'orthanc-cors.conf'),
    filledConfig({ ...options, port }),
  );
  await writeFile(join(dir, 'nginx.conf'), mainConfig(dir));

  const child = spawn(
    nginxBinary,
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    await exited(child);
    await rm(dir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await answers(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = existsSync(join(dir, 'error.log'))
        ? readFileSync(join(dir, 'error.log'), 'utf8')
        : '';
      await stop();
      throw new Error(`nginx did not start on ${url}:\n${stderr}${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    url,
    requestLines: () => {
      const path = join(dir, 'access.log');
      if (!existsSync(path)) return [];
      const lines = readFileSync(path, 'utf8').split('\n');
      return lines.flatMap((line) => /"([A-Z]+ [^"]*)"/.exec(line)?.[1] ?? []);
    },
    stop,
  };
}
