// The browser and Node client's public surface (SPEC D).
export { createClient, HELLO_PROTOCOL } from './client.ts';
export type { Client, ClientOptions, ClientState, FrameHandler, RequestOptions, SendOptions, SendResult, StateDetail } from './types.ts';
