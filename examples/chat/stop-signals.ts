// Ctrl-C / SIGTERM handling shared by both demo modes. I/O.

/** Calls `stop(0)` on the first SIGINT or SIGTERM: Ctrl-C reaches the whole process group (and npm forwards it again). */
export function stopOnSignals(isStopping: () => boolean, stop: (exitCode: number) => Promise<never>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (isStopping()) return;
      console.log(`demo: ${signal}, stopping`);
      void stop(0);
    });
  }
}
