// Pure: the opaque list `continue` token — the list's resourceVersion and the last key returned.
export interface ContinuePosition {
  resourceVersion: number;
  after: string;
}

export function encodeContinue(pos: ContinuePosition): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: pos.resourceVersion, start: pos.after })).toString('base64url');
}

export function decodeContinue(token: string): ContinuePosition | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; rv?: unknown; start?: unknown };
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') return undefined;
    return { resourceVersion: parsed.rv, after: parsed.start };
  } catch {
    return undefined;
  }
}
