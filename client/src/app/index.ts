// The app-side kit for Node back ends (`@tapr-ws/client/app`): the callback handler and the control API client.
export { createCallbackHandler, defaultMaxBodyBytes, type CallbackHandler } from './callback-handler.ts';
export { ControlApiError, createControlClient, type ControlClient, type ControlClientOptions } from './control-client.ts';
export type * from './control-types.ts';
export type { CallbackContext, CallbackHandlerOptions, CloseInfo, Connection, EventHandlers, MessageContext, RawMessage } from './handler-types.ts';
export { parseCallbackBody, type CallbackBody, type CloseBody, type MessageBody, type OpenBody, type ParsedCallback } from './callback-body.ts';
export { REPLY_HEADER } from './frames.ts';
