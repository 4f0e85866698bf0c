// /proxy/orthanc/* forwarded to Orthanc, so the page reaches it from its
// own origin (Orthanc sends no CORS headers). One registration per target
// (see orthancTargets.ts), each fixed at start-up: nothing a page sends
// can point the proxy elsewhere.
import httpProxy from '@fastify/http-proxy';
import type { FastifyInstance } from 'fastify';

import { describeProxyError } from './proxyError.ts';

export const proxyPrefix = '/proxy/orthanc';

export interface OrthancTarget {
  /** Scheme, host and port, e.g. "http://127.0.0.1:8042". */
  origin: string;
  /** Path prefix without trailing slash, e.g. "/orthanc" or "". */
  basePath: string;
  /** The URL for messages: never any credentials. */
  display: string;
}

/**
 * Parses a target's URL (`setting` names it in messages). Credentials
 * written into it are dropped: they belong in the page's Authorization
 * header, and a URL with them would end up in messages and logs.
 */
export function parseOrthancUrl(
  value: string,
  setting = 'ORTHANC_URL',
): {
  target: OrthancTarget;
  hadCredentials: boolean;
} {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${setting} is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${setting} must start with http:// or https://`);
  }
  const hadCredentials = url.username !== '' || url.password !== '';
  url.username = '';
  url.password = '';
  const basePath = url.pathname.replace(/\/+$/, '');
  return {
    target: {
      origin: url.origin,
      basePath,
      display: `${url.origin}${basePath}`,
    },
    hadCredentials,
  };
}

export interface ProxyOptions {
  target: OrthancTarget;
  /** Where the page reaches the target: proxyPrefix or below it. */
  prefix: string;
  /**
   * Host names the page may be reached under; any when absent. A server
   * on loopback lists only loopback names, so that a web site whose name
   * was rebound to 127.0.0.1 cannot read Orthanc through it.
   */
  allowedHosts?: readonly string[];
  /** Longest wait for Orthanc's answer. */
  timeoutMs: number;
  log: (line: string) => void;
}

export async function registerOrthancProxy(
  app: FastifyInstance,
  options: ProxyOptions,
): Promise<void> {
  const { target, timeoutMs, log } = options;
  await app.register(httpProxy, {
    upstream: target.origin,
    prefix: options.prefix,
    rewritePrefix: target.basePath,
    // The page only reads. Nothing else reaches Orthanc through here, so
    // another web site cannot make a visitor's browser write to or shut
    // down a server that trusts this proxy's address.
    httpMethods: ['GET', 'HEAD'],
    preHandler: (request, reply, done) => {
      const refusal = refuseForeign(
        request.headers.host,
        request.headers.origin,
        options.allowedHosts,
      );
      if (refusal === undefined) {
        done();
        return;
      }
      void reply
        .code(403)
        .header('Cache-Control', 'no-store')
        .send({ ProxyError: 'forbidden', Message: refusal });
    },
    // Orthanc closes idle connections after 1 s: forget them sooner, and
    // retry a GET once if a reused connection was closed under it anyway.
    //
    // A page that gives up on a request (its timeout, a cancelled load)
    // closes its side at once, but reply-from hands undici no abort
    // signal: the request to Orthanc runs on until Orthanc answers, then
    // its body is dropped. A slow answer therefore holds one of these
    // connections for up to `timeoutMs` after the page has moved on; the
    // pool's cap keeps that from growing without bound.
    undici: {
      connections: 16,
      keepAliveTimeout: 500,
      keepAliveMaxTimeout: 500,
      connectTimeout: Math.min(timeoutMs, 10_000),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      // reply-from turns certificate checks off unless told otherwise: a
      // proxy that carries passwords must know whom it talks to.
      connect: { rejectUnauthorized: true },
    },
    disableRequestLogging: true,
    replyOptions: {
      retriesCount: 1,
      // Without this header a 401 reaches the page instead of the
      // browser's own login dialog.
      rewriteHeaders: (headers) => {
        const kept = { ...headers };
        delete kept['www-authenticate'];
        return kept;
      },
      onError: (reply, { error }) => {
        const failure = describeProxyError(error, target.display, timeoutMs);
        log(`proxy ${failure.kind}: ${failure.message}`);
        if (reply.sent) {
          reply.raw.destroy();
          return;
        }
        void reply
          .code(failure.status)
          .header('X-Proxy-Error', failure.kind)
          .header('Cache-Control', 'no-store')
          .send({ ProxyError: failure.kind, Message: failure.message });
      },
    },
  });
}

/**
 * Why a request that did not come from this app's own page is refused, or
 * undefined when it did. A cross-site request carries a foreign Origin; a
 * DNS-rebinding one carries a foreign Host.
 */
export function refuseForeign(
  host: string | undefined,
  origin: string | undefined,
  allowedHosts: readonly string[] | undefined,
): string | undefined {
  if (host === undefined) return 'The request has no Host header.';
  const hostname = new URL(`http://${host}`).hostname;
  if (allowedHosts !== undefined && !allowedHosts.includes(hostname)) {
    return `This server answers as ${allowedHosts.join(', ')}, not ${hostname}.`;
  }
  if (origin !== undefined && origin !== 'null') {
    const from = new URL(origin);
    if (from.host !== host) {
      return `Requests from ${from.origin} may not use this proxy.`;
    }
  }
  return undefined;
}
