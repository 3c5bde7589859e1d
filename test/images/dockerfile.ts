// Reads the few Dockerfile instructions our images use (FROM … AS, WORKDIR, COPY [--from], RUN, USER, ENTRYPOINT), so the
// image test can rebuild an image's final filesystem without a Docker engine. Pure.

export interface CopyInstruction { from: string | undefined; sources: string[]; destination: string }

export interface Stage {
  name: string | undefined;
  image: string;
  workdir: string;
  copies: CopyInstruction[];
  runs: string[];
  user: string | undefined;
  entrypoint: string[] | undefined;
}

/** Stages in order; `ARG` defaults are substituted into FROM lines. Continuation lines (`\`) are joined. */
export function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const operand = line.slice(keyword.length).trim();
    const stage = stages.at(-1);
    switch (keyword.toUpperCase()) {
      case 'ARG': {
        const [name = '', value = ''] = operand.split('=');
        args[name] = value;
        break;
      }
      case 'FROM': {
        const image = rest[0]!.replace(/\$\{(\w+)\}/g, (all, name: string) => args[name] ?? all);
        const asIndex = rest.findIndex((word) => word.toUpperCase() === 'AS');
        stages.push({ name: asIndex === -1 ? undefined : rest[asIndex + 1], image, workdir: '/', copies: [], runs: [], user: undefined, entrypoint: undefined });
        break;
      }
      case 'WORKDIR': requireStage(stage, line).workdir = operand; break;
      case 'RUN': requireStage(stage, line).runs.push(operand); break;
      case 'USER': requireStage(stage, line).user = operand; break;
      case 'ENTRYPOINT': requireStage(stage, line).entrypoint = JSON.parse(operand) as string[]; break;
      case 'COPY': {
        const words = rest.filter((word) => !word.startsWith('--') || word.startsWith('--from='));
        const fromWord = words.find((word) => word.startsWith('--from='));
        const paths = words.filter((word) => word !== fromWord);
        requireStage(stage, line).copies.push({ from: fromWord?.slice('--from='.length), sources: paths.slice(0, -1), destination: paths.at(-1)! });
        break;
      }
      default: break;
    }
  }
  return stages;
}

function requireStage(stage: Stage | undefined, line: string): Stage {
  if (stage === undefined) throw new Error(`Dockerfile: "${line}" comes before any FROM`);
  return stage;
}
