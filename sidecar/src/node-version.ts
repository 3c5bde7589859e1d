// The Node.js major version the programs support (package.json "engines": >=24 <25), checked at start-up since npm
// does not check it for a workspace's scripts (npm itself may run on an older Node, README "Runtime"). Pure.

export const SUPPORTED_NODE_MAJOR = 24;

/** undefined when `version` (process.versions.node, e.g. "24.21.0") is supported; else the line that says what to do. */
export function describeUnsupportedNode(version: string, script: string): string | undefined {
  const major = Number.parseInt(version, 10);
  if (major === SUPPORTED_NODE_MAJOR) return undefined;
  return `needs Node.js ${SUPPORTED_NODE_MAJOR}, running ${version}; start it with \`${script}\` (Node ${SUPPORTED_NODE_MAJOR} from node_modules) or \`npx node …\``;
}
