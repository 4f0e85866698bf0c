// What went wrong between the proxy and Orthanc, said so that a page can
// show it: the browser only ever sees "Failed to fetch", the proxy sees the
// real cause. Kinds are few and stable because clients match on them.

export type ProxyErrorKind =
  'refused' | 'dns' | 'tls' | 'timeout' | 'reset' | 'unknown';

export interface ProxyError {
  kind: ProxyErrorKind;
  /** 504 for a timeout, 502 for everything else. */
  status: 502 | 504;
  /** A plain sentence naming the target and the cause. */
  message: string;
}

const certificateCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const timeoutCodes = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'FST_REPLY_FROM_GATEWAY_TIMEOUT',
]);
const resetCodes = new Set([
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'FST_REPLY_FROM_CONNECTION_RESET_ERROR',
]);

/** The error codes along an error's `cause` chain, outermost first. */
function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  for (let e = error, depth = 0; e instanceof Error && depth < 8; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    if (e.name === 'TimeoutError') codes.push('ETIMEDOUT');
    e = e.cause;
  }
  return codes;
}

/** The innermost error message, which names the low-level cause. */
function rootMessage(error: unknown): string {
  let e = error;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

/** Classifies a failed upstream request to `target` (no credentials). */
export function describeProxyError(
  error: unknown,
  target: string,
  timeoutMs: number,
): ProxyError {
  const codes = codesOf(error);
  const has = (set: Set<string>): string | undefined =>
    codes.find((code) => set.has(code));
  const first = codes.at(-1) ?? rootMessage(error);

  if (codes.includes('ECONNREFUSED')) {
    return {
      kind: 'refused',
      status: 502,
      message:
        `Nothing accepted the connection to ${target} (connection refused): ` +
        `check that Orthanc runs and listens on that address and port.`,
    };
  }
  if (codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN')) {
    return {
      kind: 'dns',
      status: 502,
      message:
        `The host name of ${target} could not be resolved: ` +
        `check its spelling (ORTHANC_URL or ORTHANC_TARGETS_FILE) ` +
        `and the DNS of this machine.`,
    };
  }
  const certificate = has(certificateCodes);
  if (certificate !== undefined) {
    return {
      kind: 'tls',
      status: 502,
      message:
        `The TLS certificate of ${target} is not trusted (${certificate}): ` +
        `give this server its CA with NODE_EXTRA_CA_CERTS or fix the certificate.`,
    };
  }
  const tls = codes.find((c) => c.startsWith('ERR_SSL') || c === 'EPROTO');
  if (tls !== undefined) {
    return {
      kind: 'tls',
      status: 502,
      message:
        `The TLS handshake with ${target} failed (${tls}): ` +
        `this port probably does not speak HTTPS; try http:// instead.`,
    };
  }
  if (has(timeoutCodes) !== undefined) {
    const seconds = Math.round(timeoutMs / 100) / 10;
    return {
      kind: 'timeout',
      status: 504,
      message:
        `${target} did not answer within ${seconds} s: ` +
        `Orthanc may be overloaded or the address may drop packets.`,
    };
  }
  const reset = has(resetCodes);
  if (reset !== undefined) {
    return {
      kind: 'reset',
      status: 502,
      message:
        `${target} closed the connection before answering (${reset}): ` +
        `Orthanc may have stopped or a network device cut the connection.`,
    };
  }
  return {
    kind: 'unknown',
    status: 502,
    message: `The request to ${target} failed (${first}).`,
  };
}
