// Runs the `helm` on PATH (real Helm 3 or helm-lite) and returns its exit code and output. I/O.
import { execFile } from 'node:child_process';

export const HELM_MISSING_MESSAGE = 'helm is not on PATH: run ../shared/tools/helm-lite/install from the repository root '
  + '(/work/shared/tools/helm-lite/install; .ci/run does it) or install Helm 3';

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `helm <args>`; a missing helm binary throws with HELM_MISSING_MESSAGE, any other outcome is returned. */
export function runHelm(args: readonly string[]): Promise<HelmResult> {
  return new Promise((resolve, reject) => {
    execFile('helm', [...args], { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error !== null && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error(HELM_MISSING_MESSAGE, { cause: error }));
        return;
      }
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}
