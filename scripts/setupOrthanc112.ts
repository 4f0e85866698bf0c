// Builds the Debian 13 chroot that runs Orthanc 1.12.7 next to the
// system's 1.10.1, so tests and fixtures cover both versions. The chroot is
// built in a side folder and renamed at the end: a half-built one is never
// mistaken for a ready one.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';

import { chrootDir, orthanc112Binary } from './orthanc.ts';

const mirror = process.env.DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => {
      resolve(code ?? 1);
    });
  });
}

function findDebootstrap(): string | undefined {
  return ['/usr/sbin/debootstrap', '/usr/bin/debootstrap'].find((path) =>
    existsSync(path),
  );
}

async function main(): Promise<number> {
  if (existsSync(orthanc112Binary)) {
    console.log(`Orthanc 1.12 chroot is ready at ${chrootDir}`);
    return 0;
  }

  // debootstrap creates device nodes and chroots: only root can.
  if (process.getuid?.() !== 0) {
    console.error(
      `Cannot build the Orthanc 1.12 chroot: this needs root. Run ` +
        `"sudo npm run setup:orthanc-1.12" once, or skip the 1.12 tests.`,
    );
    return 1;
  }
  const debootstrap = findDebootstrap();
  if (debootstrap === undefined) {
    console.error(
      'Cannot build the Orthanc 1.12 chroot: debootstrap is missing. ' +
        'Install it with "apt-get install debootstrap".',
    );
    return 1;
  }

  const partial = `${chrootDir}.partial`;
  await rm(partial, { recursive: true, force: true });
  console.log(`Building Debian 13 (trixie) with orthanc in ${chrootDir}`);
  console.log('This downloads about 100 MB and takes about a minute.');
  const started = Date.now();
  const code = await run(debootstrap, [
    '--variant=minbase',
    '--include=orthanc',
    'trixie',
    partial,
    mirror,
  ]);
  if (code !== 0 || !existsSync(`${partial}/usr/sbin/Orthanc`)) {
    await rm(partial, { recursive: true, force: true });
    console.error(
      `Cannot build the Orthanc 1.12 chroot: debootstrap exited with ` +
        `${code} (is ${mirror} reachable?).`,
    );
    return 1;
  }

  await rename(partial, chrootDir);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`Orthanc 1.12 chroot ready at ${chrootDir} in ${seconds} s`);
  return 0;
}

process.exitCode = await main();
