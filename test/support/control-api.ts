// Small client for the gateway's control API (/tapr/ws/conn/* and /tapr/ws/channel/*), for contract tests. I/O.

export interface ControlAnswer {
  status: number;
  body: { code: number; message: string; data?: unknown };
}

/** POSTs a JSON body (or a raw string, sent as is) and returns status and parsed answer. */
export async function controlPost(baseUrl: string, path: 'send' | 'close', body: unknown, headers: Record<string, string> = {}): Promise<ControlAnswer> {
  const response = await fetch(`${baseUrl}/tapr/ws/conn/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as ControlAnswer['body'] };
}

export async function controlList(baseUrl: string, headers: Record<string, string> = {}): Promise<ControlAnswer> {
  const response = await fetch(`${baseUrl}/tapr/ws/conn/list`, { headers });
  return { status: response.status, body: (await response.json()) as ControlAnswer['body'] };
}

/** POSTs to /tapr/ws/channel/subscribe|unsubscribe (SPEC A10). */
export async function channelPost(baseUrl: string, path: 'subscribe' | 'unsubscribe', body: unknown, headers: Record<string, string> = {}): Promise<ControlAnswer> {
  const response = await fetch(`${baseUrl}/tapr/ws/channel/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as ControlAnswer['body'] };
}

/** GETs /tapr/ws/channel/list|presence with a query (SPEC A10). */
export async function channelGet(baseUrl: string, path: 'list' | 'presence', query: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<ControlAnswer> {
  const search = new URLSearchParams(query).toString();
  const response = await fetch(`${baseUrl}/tapr/ws/channel/${path}${search ? `?${search}` : ''}`, { headers });
  return { status: response.status, body: (await response.json()) as ControlAnswer['body'] };
}
