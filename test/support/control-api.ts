// Small client for the gateway's control API (/tapr/ws/conn/*), for contract tests. I/O.

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
