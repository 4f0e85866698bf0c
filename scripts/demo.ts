// `npm run demo`: a throwaway Orthanc filled with sample data, the built
// page and its server, all on this machine. Ctrl+C stops everything and
// deletes the Orthanc's storage.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { startServer } from '../server/startServer.ts';
import {
  isPortFree,
  orthanc110Binary,
  repoRoot,
  startOrthanc,
} from './orthanc.ts';
import { seedOrthanc } from './seed.ts';

const demoUser = 'demo';
const demoPassword = 'demo';
const generated = 500;
const defaultDist = join(repoRoot, 'dist');

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', cwd: repoRoot });
    child.on('error', reject);
    child.on('exit', (code) => {
      resolve(code ?? 1);
    });
  });
}

async function ensureOrthanc(): Promise<boolean> {
  if (existsSync(orthanc110Binary)) return true;
  if (process.getuid?.() !== 0) {
    console.error(
      'Orthanc is not installed. Install it with ' +
        '"sudo apt-get install orthanc" (Debian or Ubuntu), then run ' +
        '"npm run demo" again.',
    );
    return false;
  }
  console.log('Installing Orthanc with apt-get...');
  process.env.DEBIAN_FRONTEND = 'noninteractive';
  const updated = await run('apt-get', ['update']);
  const installed =
    updated === 0 ? await run('apt-get', ['install', '-y', 'orthanc']) : 1;
  if (installed !== 0 || !existsSync(orthanc110Binary)) {
    console.error('apt-get could not install orthanc; see its output above.');
    return false;
  }
  return true;
}

/** The newest modification time of the files a build reads, in ms. */
function newestSource(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === 'fixtures') continue;
    newest = Math.max(newest, newestSource(join(path, name)));
  }
  return newest;
}

async function ensureBuild(distDir: string): Promise<boolean> {
  // A page built elsewhere (DIST_DIR) is taken as it is.
  if (distDir !== defaultDist) return existsSync(join(distDir, 'index.html'));
  const built = join(distDir, 'index.html');
  const inputs = ['src', 'index.html', 'vite.config.ts', 'package.json']
    .map((name) => join(repoRoot, name))
    .filter((path) => existsSync(path));
  const sourceTime = Math.max(...inputs.map(newestSource));
  if (existsSync(built) && statSync(built).mtimeMs >= sourceTime) return true;

  console.log('Building the page (vite build)...');
  const vite = join(repoRoot, 'node_modules', '.bin', 'vite');
  const code = await run(vite, ['build']);
  if (code !== 0) console.error('vite build failed; see its output above.');
  return code === 0;
}

async function main(): Promise<number> {
  const distDir = resolve(process.env.DIST_DIR ?? defaultDist);
  if (!(await ensureOrthanc()) || !(await ensureBuild(distDir))) return 1;

  const orthanc = await startOrthanc({
    username: demoUser,
    password: demoPassword,
    preferredPort: 8042,
    config: {
      Name: 'Orthanc Warehouse demo',
      DicomModalities: { 'demo-pacs': ['DEMOPACS', '127.0.0.1', 11112] },
    },
  });
  const stopOrthanc = (): Promise<void> => orthanc.stop();
  try {
    console.log(`Orthanc ${orthanc.version} started; loading sample data...`);
    const seeded = await seedOrthanc(orthanc, { generated });
    console.log(
      `Stored ${seeded.uploaded} instances (${seeded.generated} generated, ` +
        `${seeded.uploaded - seeded.generated} pydicom sample files; ` +
        `${seeded.rejected.length} sample files refused by Orthanc).`,
    );

    const port = (await isPortFree(4173)) ? 4173 : 0;
    const server = await startServer({
      host: '127.0.0.1',
      port,
      orthancUrl: orthanc.url,
      distDir,
      log: (line) => {
        console.warn(line);
      },
    });

    console.log('');
    console.log(`  Orthanc Warehouse:  ${server.url}`);
    console.log(`  Orthanc:            ${orthanc.url}`);
    console.log(`  Username/password:  ${demoUser} / ${demoPassword}`);
    console.log('');
    console.log('Press Ctrl+C to stop the demo and delete its data.');

    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    console.log('Stopping...');
    await server.close();
  } finally {
    await stopOrthanc();
  }
  return 0;
}

process.exitCode = await main();
