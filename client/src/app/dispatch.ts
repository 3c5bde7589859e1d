// One callback, from its body text to the answer: validate (SPEC A3), dispatch to the typed handlers, collect the
// inline reply (A9) and the open answer's channels (A10). No HTTP here; the handlers and the control client do the I/O.
import { parseCallbackBody, type CallbackBody, type CloseBody, type MessageBody } from './callback-body.ts';
import { createControlClient, type ControlClient } from './control-client.ts';
import { assertChannelNames, buildAnswer, buildErrorAnswer, buildEventFrame, buildReplyFrame, readEventFrame, readRequestId, type CallbackAnswer } from './frames.ts';
import type { CallbackContext, CallbackHandlerOptions, CloseInfo, Connection, MessageContext } from './handler-types.ts';

export const defaultControlUrl = 'http://127.0.0.1:40010';

export type Dispatch = (bodyText: string) => Promise<CallbackAnswer>;

export function createDispatch<ClientEvents extends object, ServerEvents extends object>(options: CallbackHandlerOptions<ClientEvents, ServerEvents>): Dispatch {
  const control = typeof options.control === 'object' ? options.control : createControlClient(options.control ?? defaultControlUrl);
  const onError = options.onError ?? ((error: unknown, who: Connection | undefined) => console.error(`tapr-ws app kit: callback handler failed${who ? ` (conn ${who.connId})` : ''}:`, error));

  return async (bodyText) => {
    let json: unknown;
    try {
      json = JSON.parse(bodyText);
    } catch (error) {
      return buildErrorAnswer(400, `body: invalid JSON (${(error as Error).message})`);
    }
    const parsed = parseCallbackBody(json);
    if (!parsed.ok) return buildErrorAnswer(400, parsed.error);
    const who = connectionOf(parsed.body);
    try {
      return await run(parsed.body, who);
    } catch (error) {
      onError(error, who);
      return buildErrorAnswer(500, 'callback handler failed');
    }
  };

  async function run(body: CallbackBody, who: Connection): Promise<CallbackAnswer> {
    if (body.action === 'close') {
      await options.onClose?.(closeInfoOf(body, who, control));
      return buildAnswer({});
    }
    const outcome = createOutcome(body.action, who, control);
    if (body.action === 'open') await options.onOpen?.(outcome.context);
    else await dispatchMessage(body, outcome.messageContext(body.data));
    return outcome.finish();
  }

  async function dispatchMessage(body: MessageBody, ctx: MessageContext<ServerEvents>): Promise<void> {
    const frame = body.raw || body.binary ? undefined : readEventFrame(body.data);
    const handler = frame === undefined ? undefined : (options.events as Record<string, ((c: typeof ctx, data: unknown) => unknown) | undefined> | undefined)?.[frame.event];
    if (frame !== undefined && handler !== undefined) await handler(ctx, frame.data);
    else await options.onMessage?.(ctx, { data: body.data, raw: body.raw, binary: body.binary, ...(frame === undefined ? {} : { event: frame.event }) });
  }
}

function connectionOf(body: CallbackBody): Connection {
  return { connId: body.conn_id, user: body.user_name, token: body.token, accessPublic: body.access_public, path: body.path, query: body.query };
}

function closeInfoOf(body: CloseBody, who: Connection, control: ControlClient): CloseInfo {
  return { ...who, code: body.code, reason: body.reason, channels: body.channels, control };
}

/**
 * What open and message handlers do to their answer: one inline reply, and on open the channels for the open answer.
 * Once the answer is built, reply() throws and subscribe() goes through the control API.
 */
function createOutcome<ServerEvents extends object>(action: 'open' | 'message', who: Connection, control: ControlClient) {
  let reply: unknown;
  let answered = false;
  const openChannels: string[] = [];
  const target = { conn_id: who.connId };

  const setReply = (frame: unknown, what: string): void => {
    if (answered) throw new Error(`${what}: this callback was answered already; use ctx.send()`);
    if (reply !== undefined) throw new Error(`${what}: one inline reply per callback (SPEC A9); use ctx.send() for more`);
    reply = frame;
  };

  const context: CallbackContext<ServerEvents> = {
    ...who,
    control,
    reply: (event, data) => setReply(buildEventFrame(event, data), 'ctx.reply'),
    send: (event, data) => control.sendEvent(target, event, data),
    async subscribe(channels) {
      assertChannelNames('ctx.subscribe', channels);
      if (action === 'open' && !answered) openChannels.push(...channels);
      else if (channels.length > 0) await control.subscribe({ ...target, channels: [...channels] });
    },
    async unsubscribe(channels) {
      assertChannelNames('ctx.unsubscribe', channels);
      if (channels.length > 0) await control.unsubscribe({ ...target, channels: [...channels] });
    },
  };

  return {
    context,
    messageContext(data: unknown): MessageContext<ServerEvents> {
      const requestId = readRequestId(readEventFrame(data)?.data);
      return {
        ...context,
        requestId,
        replyTo(result) {
          if (requestId === undefined) throw new Error('ctx.replyTo: this message is no request() (its data has no "$id")');
          setReply(buildReplyFrame(requestId, result), 'ctx.replyTo');
        },
      };
    },
    /** An open answer with a reply cannot subscribe too (SPEC A9): then the channels go through the control API first. */
    async finish(): Promise<CallbackAnswer> {
      answered = true;
      if (reply === undefined || openChannels.length === 0) return buildAnswer({ reply, subscribe: openChannels });
      const result = await control.subscribe({ ...target, channels: openChannels });
      if (result.matched === 0) throw new Error(`ctx.subscribe on open with an inline reply: the gateway does not hold conn ${who.connId} yet (WS_OPEN_MODE=authorize?); subscribe or reply, not both`);
      return buildAnswer({ reply });
    },
  };
}
