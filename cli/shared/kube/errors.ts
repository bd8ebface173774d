import { ApiException } from '@kubernetes/client-node';
import { stopped } from '../in-flight';
import { KubeRefused, type KubeStatus, KubeUnanswered, KubeUnreachable } from './failures';

export { KubeRefused, type KubeStatus, KubeUnanswered, KubeUnreachable } from './failures';

/** The Status the API server answered with, or undefined when the error is not an answer of the server. */
export function kubeStatus(error: unknown): KubeStatus | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const code = Number(error.code);
  let body: unknown = error.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // Not a Status (a proxy's page): its text is the message.
    }
  }
  const status = typeof body === 'object' && body !== null ? (body as { reason?: unknown; message?: unknown }) : {};
  return {
    code,
    reason: typeof status.reason === 'string' && status.reason !== '' ? status.reason : `HTTP ${code}`,
    message: typeof status.message === 'string' ? status.message : typeof body === 'string' && body !== '' ? body : `HTTP ${code}`,
  };
}

/** The codes of a connection that was never made: the request did not leave this machine. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** The innermost cause's code and message (undici's fetch wraps them as `fetch failed`, with the socket's error as cause). */
function rootCause(error: unknown): { code?: string; message: string } {
  let e = error as { cause?: unknown; code?: unknown; message?: unknown; name?: unknown } | undefined;
  for (let depth = 0; depth < 5 && e?.cause !== undefined; depth++) e = e.cause as typeof e;
  return { code: typeof e?.code === 'string' ? e.code : undefined, message: typeof e?.message === 'string' ? e.message : String(e) };
}

/**
 * What a failed call becomes: the server's Status as KubeRefused; a connection never made as KubeUnreachable; a
 * timeout or a dropped connection as KubeUnanswered (a write's `mayHaveApplied`). Anything else as it was.
 */
export function kubeFailure(error: unknown, what: string, server: string, write: boolean): Error {
  const status = kubeStatus(error);
  if (status) return new KubeRefused(what, status);
  // Read by name, not instanceof: the abort is a DOMException, and fetch's errors may come from another realm.
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  if (name === 'AbortError' && stopped()) return new KubeUnanswered(what, server, write, 'the command was stopped by a signal');
  if (name === 'TimeoutError' || name === 'AbortError') return new KubeUnanswered(what, server, write, 'the request timed out');
  const cause = rootCause(error);
  if (cause.code !== undefined && NOT_SENT.has(cause.code)) return new KubeUnreachable(what, server, `${cause.code}: ${cause.message}`);
  if (message === 'fetch failed') return new KubeUnanswered(what, server, write, `${cause.code ?? 'connection lost'}: ${cause.message}`);
  return error instanceof Error ? error : new Error(`${what}: ${String(error)}`);
}
