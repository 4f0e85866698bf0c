// The production server: the built page from dist/ and the Orthanc proxy
// on one origin. It logs no requests at all, so neither Authorization
// headers nor URLs (which can carry patient data) ever reach a log.
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import { existsSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';

import {
  proxyPrefix,
  refuseForeign,
  registerOrthancProxy,
} from './orthancProxy.ts';
import {
  resolveTargets,
  targetListing,
  type TargetListing,
  type TargetSpec,
} from './orthancTargets.ts';

export interface ServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The one Orthanc, under /proxy/orthanc; or give `targets`. */
  orthancUrl?: string;
  /** Named Orthanc servers, each under /proxy/orthanc/<name>. */
  targets?: readonly TargetSpec[];
  /** Folder with the built page (index.html and assets/). */
  distDir: string;
  /** Longest wait for Orthanc's answer; 60 s by default. */
  upstreamTimeoutMs?: number;
  /**
   * Orthanc origins the page may call directly, without the proxy: those
   * that send CORS headers themselves. Nothing else is reachable.
   */
  directOrigins?: readonly string[];
  /** Where warnings go; nowhere by default. */
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  /** The (first) proxied Orthanc URL, credentials removed. */
  orthancUrl: string;
  /** Every target as the page sees it in GET /api/targets. */
  targets: TargetListing[];
  close(): Promise<void>;
}

/**
 * The page may talk to its own origin and to the Orthanc origins named
 * for direct use, so no request leaves for anywhere else. DuckDB-WASM
 * compiles WebAssembly and starts workers from its own files; React's
 * styles come inline.
 */
export function contentSecurityPolicy(
  directOrigins: readonly string[] = [],
): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    ['connect-src', "'self'", ...directOrigins, 'blob:', 'data:'].join(' '),
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Checks that each entry is a bare http(s) origin, as CSP needs it. */
export function parseDirectOrigins(value: string | undefined): string[] {
  const entries = (value ?? '').split(/[\s,]+/).filter((e) => e !== '');
  return entries.map((entry) => {
    const url = new URL(entry);
    if (
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.username !== '' ||
      url.password !== ''
    ) {
      throw new Error(
        `ORTHANC_DIRECT_ORIGINS: "${entry}" is not an http(s) origin.`,
      );
    }
    return url.origin;
  });
}

/** Vite puts content-hashed files under assets/: they never change. */
function cacheControlFor(filePath: string, root: string): string {
  const hashed = filePath.startsWith(`${root}${sep}assets${sep}`);
  return hashed ? 'public, max-age=31536000, immutable' : 'no-cache';
}

export async function startServer(
  options: ServerOptions,
): Promise<RunningServer> {
  const root = resolve(options.distDir);
  if (!existsSync(resolve(root, 'index.html'))) {
    throw new Error(
      `${root}/index.html is missing: build the page first with "npm run build".`,
    );
  }
  const log = options.log ?? (() => undefined);
  if ((options.orthancUrl === undefined) === (options.targets === undefined)) {
    throw new Error('Give either ORTHANC_URL or ORTHANC_TARGETS_FILE.');
  }
  const targets = resolveTargets(
    options.targets === undefined
      ? { orthancUrl: options.orthancUrl ?? '' }
      : { targets: options.targets },
    log,
  );
  const listing = targetListing(targets);
  const allowedHosts = isLoopback(options.host) ? loopbackNames : undefined;

  // On close, open keep-alive connections (a page still open) are cut
  // rather than waited for.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const policy = contentSecurityPolicy(options.directOrigins);

  app.addHook('onSend', async (_request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Content-Security-Policy', policy);
  });

  for (const target of targets) {
    await registerOrthancProxy(app, {
      target,
      prefix: target.path,
      ...(allowedHosts === undefined ? {} : { allowedHosts }),
      timeoutMs: options.upstreamTimeoutMs ?? 60_000,
      log,
    });
  }

  // The page's list of targets: names and addresses only. It answers the
  // page's own origin and host alone, like the proxy.
  app.get('/api/targets', async (request, reply) => {
    const refusal = refuseForeign(
      request.headers.host,
      request.headers.origin,
      allowedHosts,
    );
    reply.header('Cache-Control', 'no-store');
    if (refusal !== undefined) {
      return reply.code(403).send({ Message: refusal });
    }
    return listing;
  });

  await app.register(fastifyStatic, {
    root,
    // The build writes a .gz beside each large file (vite.config.ts).
    preCompressed: true,
    cacheControl: false,
    setHeaders: (response, filePath) => {
      response.setHeader('Cache-Control', cacheControlFor(filePath, root));
      if (filePath.endsWith('.wasm')) {
        response.setHeader('Content-Type', 'application/wasm');
      }
    },
  });

  // The page routes on the client: a path that is not a file gets
  // index.html, while a missing asset stays a 404.
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const isPage =
      (request.method === 'GET' || request.method === 'HEAD') &&
      extname(path) === '' &&
      !path.startsWith(proxyPrefix) &&
      !path.startsWith('/api/');
    if (!isPage) {
      return reply.code(404).type('text/plain').send('Not found\n');
    }
    return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
  });

  const address = await app.listen({ host: options.host, port: options.port });
  const port = new URL(address).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    orthancUrl: targets[0]?.display ?? '',
    targets: listing.targets,
    close: () => app.close(),
  };
}

const loopbackNames = ['127.0.0.1', 'localhost', '[::1]'];

function isLoopback(host: string): boolean {
  return (
    host === 'localhost' ||
    host === '::1' ||
    host === '[::1]' ||
    /^127(\.\d{1,3}){3}$/.test(host)
  );
}
