// One Kubernetes watch over node:https (I/O): GET …?watch=1, newline-delimited JSON events handed over as they arrive,
// abortable. How it ends tells the informer what to do next: the server closed it (resume), it was silent too long
// (resume), it was aborted (stop), or it failed: a non-2xx answer (ApiError, e.g. 410 Gone) or a broken connection.
import { request, type RequestOptions } from 'node:https';

export interface WatchRequest {
  /** Collection path, e.g. /apis/apps/v1/deployments or /api/v1/namespaces/a/pods. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** A watch silent for this long is closed and reported as `idle` (a dead connection looks the same). Default 10 min. */
  idleTimeoutMs?: number;
}

export interface WatchEvent {
  type: string;
  object: unknown;
}

export type WatchEnd = 'ended' | 'idle' | 'aborted';

export interface WatchHandle {
  /** Resolves with how the watch ended normally; rejects with the API's error or a connection failure. */
  ended: Promise<WatchEnd>;
  abort(): void;
}

export type OpenWatch = (req: WatchRequest, onEvent: (event: WatchEvent) => void) => WatchHandle;

export interface WatchTransport {
  /** Request options with the agent, server and credentials for this path and query. */
  prepare(path: string, query: Record<string, string | number | boolean | undefined>): Promise<RequestOptions>;
  /** The error for a non-2xx answer (the API client's ApiError). */
  errorFor(status: number, body: string): Error;
}

export function startWatch(transport: WatchTransport, req: WatchRequest, onEvent: (event: WatchEvent) => void): WatchHandle {
  let aborted = false;
  let destroy: (() => void) | undefined;
  const ended = new Promise<WatchEnd>((resolve, reject) => {
    let settled = false;
    /** `cleanly`: the response ended, so its kept-alive socket can serve another request. */
    const finish = (outcome: WatchEnd | Error, cleanly = false): void => {
      if (settled) return;
      settled = true;
      if (!cleanly) destroy?.();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const attempt = async (retried: boolean): Promise<void> => {
      const options = await transport.prepare(req.path, { ...req.query, watch: 1 });
      if (aborted) {
        finish('aborted');
        return;
      }
      let answered = false;
      let idle = false;
      const outgoing = request(options, (res) => {
        answered = true;
        const status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        if (status < 200 || status >= 300) {
          let text = '';
          res.on('data', (chunk: string) => { text += chunk; });
          res.on('end', () => finish(transport.errorFor(status, text), true));
          res.on('error', (error) => finish(error));
          return;
        }
        const lines = new LineSplitter();
        res.on('data', (chunk: string) => {
          for (const line of lines.push(chunk)) {
            const event = parseWatchLine(line);
            if (event instanceof Error) {
              finish(new Error(`watch ${req.path}: ${event.message}`));
              return;
            }
            if (!settled) onEvent(event);
          }
        });
        res.on('end', () => finish(aborted ? 'aborted' : 'ended', true));
        res.on('error', (error) => finish(aborted ? 'aborted' : idle ? 'idle' : error));
        res.on('close', () => {
          if (!res.complete) finish(aborted ? 'aborted' : idle ? 'idle' : new Error(`watch ${req.path}: the connection closed mid-stream`));
        });
      });
      destroy = () => outgoing.destroy();
      const idleMs = req.idleTimeoutMs ?? 600_000;
      outgoing.setTimeout(idleMs, () => {
        idle = true;
        finish('idle');
      });
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        if (aborted) finish('aborted');
        else if (idle) finish('idle');
        // A kept-alive socket the server closed meanwhile: the request never reached it; send it once more.
        else if (!answered && !retried && outgoing.reusedSocket && error.code === 'ECONNRESET') {
          destroy = undefined;
          attempt(true).catch((retryError: unknown) => finish(retryError instanceof Error ? retryError : new Error(String(retryError))));
        } else finish(error);
      });
      outgoing.end();
    };
    attempt(false).catch((error: unknown) => finish(error instanceof Error ? error : new Error(String(error))));
  });
  return {
    ended,
    abort: () => {
      aborted = true;
      destroy?.();
    },
  };
}

/** One line of a watch stream → its event, or an Error saying what is wrong with it. Pure. */
export function parseWatchLine(line: string): WatchEvent | Error {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return new Error(`a line is not JSON: ${line.slice(0, 120)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { type?: unknown }).type !== 'string') {
    return new Error(`a line is not a watch event ({"type":…,"object":…}): ${line.slice(0, 120)}`);
  }
  const { type, object } = parsed as { type: string; object?: unknown };
  return { type, object };
}

/** Splits text chunks into complete, non-empty lines (a line may span chunks). Pure. */
export class LineSplitter {
  private rest = '';

  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const parts = text.split('\n');
    this.rest = parts.pop() ?? '';
    return parts.map((part) => part.trim()).filter((part) => part !== '');
  }
}
