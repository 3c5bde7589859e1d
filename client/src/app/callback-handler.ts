// createCallbackHandler: the gateway's callbacks (SPEC A3) for node:http and express (`(req, res)`) and for fetch-style
// servers such as hono (`handler.fetch(request)`), over the one dispatch in dispatch.ts. HTTP edge.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFetchBody, readNodeBody, type BodyRead } from './body-reader.ts';
import { createDispatch } from './dispatch.ts';
import { buildErrorAnswer, type CallbackAnswer } from './frames.ts';
import type { CallbackHandlerOptions } from './handler-types.ts';

export interface CallbackHandler {
  /** node:http and express: mount it on the POST route of `WS_URL`. It answers every request it gets and never rejects. */
  (req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Fetch-style servers (hono: `app.post('/ws/message', (c) => handler.fetch(c.req.raw))`, Bun, Deno). */
  fetch(request: Request): Promise<Response>;
}

export const defaultMaxBodyBytes = 4 * 1024 * 1024;

/** `ClientEvents`: what pages send (`createClient`'s second map); `ServerEvents`: what the app sends them. */
export function createCallbackHandler<ClientEvents extends object = Record<string, unknown>, ServerEvents extends object = Record<string, unknown>>(
  options: CallbackHandlerOptions<ClientEvents, ServerEvents>,
): CallbackHandler {
  const dispatch = createDispatch(options);
  const limit = options.maxBodyBytes ?? defaultMaxBodyBytes;
  const answerTo = async (method: string, read: () => Promise<BodyRead>): Promise<CallbackAnswer> => {
    if (method !== 'POST') return buildErrorAnswer(405, `method: the gateway's callbacks are POST, got ${method}`);
    let body: BodyRead;
    try {
      body = await read();
    } catch (error) {
      // The gateway hung up mid-body (its callback timeout): nobody reads this answer, but the promise must not reject.
      return buildErrorAnswer(400, `body: could not be read (${(error as Error).message})`);
    }
    return body.kind === 'too-large' ? buildErrorAnswer(413, `body: larger than ${limit} bytes`) : dispatch(body.text);
  };

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const answer = await answerTo(req.method ?? 'GET', () => readNodeBody(req, limit));
    // An unread rest of a 413 body would otherwise keep the connection busy.
    if (answer.status === 413) res.setHeader('connection', 'close');
    if (!res.headersSent && !res.destroyed) res.writeHead(answer.status, answer.headers).end(answer.body);
  };
  return Object.assign(handler, {
    async fetch(request: Request): Promise<Response> {
      const answer = await answerTo(request.method, () => readFetchBody(request, limit));
      return new Response(answer.body, { status: answer.status, headers: answer.headers });
    },
  });
}
