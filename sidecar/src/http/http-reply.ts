// What an HTTP route answers, as a value: status, body and headers, built before anything is written. Pure.

export interface HttpReply {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** `{ code, message }`: the body of every refusal and error (SPEC A4). */
export function errorBody(status: number, message: string): { code: number; message: string } {
  return { code: status, message };
}

export function jsonReply(status: number, value: unknown, headers?: Record<string, string>): HttpReply {
  return { status, body: JSON.stringify(value), contentType: 'application/json', ...(headers ? { headers } : {}) };
}

/** `{ code: 0, message: 'success', data }`: the body of every control API success (SPEC A4). */
export function successReply(data: unknown): HttpReply {
  return jsonReply(200, { code: 0, message: 'success', data });
}

export function errorReply(status: number, message: string, headers?: Record<string, string>): HttpReply {
  return jsonReply(status, errorBody(status, message), headers);
}

export function textReply(status: number, text: string, contentType: string): HttpReply {
  return { status, body: text, contentType };
}
