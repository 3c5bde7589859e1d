// Rebuilds an image's filesystem in a temp dir without a Docker engine (I/O): the build stage is our `tsc -p
// tsconfig.build.json` into a temp dist, other stages run their own COPY and RUN lines (npm ci) in a temp dir, and the
// target stage's COPY lines assemble the result. What runs from there uses only what the image would contain.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseDockerfile, type CopyInstruction, type Stage } from './dockerfile.ts';

const run = promisify(execFile);
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export interface ImageFilesystem {
  root: string;
  final: Stage;
  /** The ENTRYPOINT with `node` replaced by this Node 24. */
  command: string[];
  /** Every temp dir made (the final root and the intermediate stages'), for removal. */
  tempDirs: string[];
}

/**
 * `tsc -p tsconfig.build.json` and the gateway bundle into a fresh dir: what the Dockerfile's build stage produces
 * under /src/dist. Without the type check (`npm run typecheck` does it), which halves the time.
 */
export async function compileForImages(): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'image-build-'));
  await run(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', join(out, 'dist'), '--noCheck'], { cwd: REPO_ROOT });
  await run(process.execPath, [join(REPO_ROOT, 'sidecar/scripts/bundle.ts'), join(out, 'dist/ws-gateway/ws-gateway.cjs')], { cwd: REPO_ROOT });
  return out;
}

/** The filesystem of `docker build --target <target>`: the target stage and the stages it copies from. */
export async function assembleImage(dockerfile: string, target: string, buildOutput: string): Promise<ImageFilesystem> {
  const stages = parseDockerfile(await readFile(join(REPO_ROOT, dockerfile), 'utf8'));
  const final = stages.find((stage) => stage.name === target);
  if (final === undefined) throw new Error(`${dockerfile}: no stage named ${target}`);
  const needed = new Set(final.copies.flatMap((copy) => (copy.from === undefined ? [] : [copy.from])));
  const stageRoots = new Map<string, { root: string; workdir: string }>();
  const tempDirs: string[] = [];
  for (const stage of stages) {
    if (stage.name === undefined || !needed.has(stage.name)) continue;
    if (stage.runs.some((line) => line.includes('tsc'))) {
      stageRoots.set(stage.name, { root: buildOutput, workdir: stage.workdir });
      continue;
    }
    const root = await mkdtemp(join(tmpdir(), `image-${stage.name}-`));
    tempDirs.push(root);
    for (const copy of stage.copies) await copyInto(root, stage.workdir, copy, stageRoots);
    for (const line of stage.runs) await run('sh', ['-c', line], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    stageRoots.set(stage.name, { root, workdir: stage.workdir });
  }
  const root = await mkdtemp(join(tmpdir(), 'image-final-'));
  tempDirs.push(root);
  for (const copy of final.copies) await copyInto(root, final.workdir, copy, stageRoots);
  const entrypoint = final.entrypoint ?? [];
  return { root, final, tempDirs, command: entrypoint.map((word, index) => (index === 0 && word === 'node' ? process.execPath : word)) };
}

/** The stage's filesystem is `root` mounted at `workdir`: `/app/x` (workdir /app) → `<root>/x`. */
async function copyInto(root: string, workdir: string, copy: CopyInstruction, stageRoots: Map<string, { root: string; workdir: string }>): Promise<void> {
  for (const source of copy.sources) {
    let from: string;
    if (copy.from === undefined) from = join(REPO_ROOT, source);
    else {
      const stage = stageRoots.get(copy.from);
      if (stage === undefined) throw new Error(`COPY --from=${copy.from}: no such stage before the final one`);
      from = join(stage.root, relative(stage.workdir, source));
    }
    const destination = join(root, relative(workdir, resolve(workdir, copy.destination)));
    // Like Docker: a file copied to `dir/` keeps its name; a directory's contents go into the destination.
    const isFile = (await stat(from)).isFile();
    const target = isFile && copy.destination.endsWith('/') ? join(destination, source.split('/').at(-1)!) : destination;
    await mkdir(dirname(target), { recursive: true });
    await cp(from, target, { recursive: true, verbatimSymlinks: true });
  }
}
