// Forces a full garbage collection in another Node process through its inspector (started with --inspect=127.0.0.1:0). I/O.
import { once } from 'node:events';
import WebSocket from 'ws';

/** The inspector's WebSocket URL from the "Debugger listening on ws://…" line Node prints on stderr. */
export function inspectorUrlFrom(stderr: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
}

/** Drops the inspector's own lines from a process's stderr. */
export function withoutInspectorLines(stderr: string): string {
  return stderr.split('\n').filter((line) => !/^(Debugger listening on|Debugger ending on|For help, see:|Debugger attached|Waiting for the debugger)/.test(line.trim())).join('\n').trim();
}

export interface MemoryUsage { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number }

/** Runs `HeapProfiler.collectGarbage` `times` times in the target process, then reads its `process.memoryUsage()`. */
export async function collectGarbage(inspectorUrl: string, times = 2, timeoutMs = 10_000): Promise<MemoryUsage> {
  const socket = new WebSocket(inspectorUrl, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
  socket.on('error', () => undefined);
  const timer = setTimeout(() => socket.terminate(), timeoutMs);
  let nextId = 1;
  const call = (method: string, params: Record<string, unknown> = {}): Promise<unknown> => {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const onMessage = (data: Buffer): void => {
        const message = JSON.parse(data.toString('utf8')) as { id?: number; error?: { message: string }; result?: unknown };
        if (message.id !== id) return;
        socket.off('message', onMessage);
        if (message.error) reject(new Error(`inspector: ${method}: ${message.error.message}`));
        else resolve(message.result);
      };
      socket.on('message', onMessage);
      socket.once('close', () => reject(new Error(`inspector closed before answering ${method}`)));
      socket.send(JSON.stringify({ id, method, params }));
    });
  };
  try {
    await once(socket, 'open');
    for (let i = 0; i < times; i++) await call('HeapProfiler.collectGarbage');
    const answer = (await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })) as { result: { value: string } };
    return JSON.parse(answer.result.value) as MemoryUsage;
  } finally {
    clearTimeout(timer);
    socket.close();
  }
}
