// describeUnsupportedNode: Node 24 passes, any other major gets a line naming the version and the npm script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeUnsupportedNode } from './node-version.ts';

test('Node 24 is supported; 22, 23 and 25 are refused with what to run instead', () => {
  assert.equal(describeUnsupportedNode('24.21.0', 'npm run gateway'), undefined);
  assert.equal(describeUnsupportedNode(process.versions.node, 'npm run gateway'), undefined, 'the test runs on the project Node');
  for (const version of ['22.18.0', '23.1.0', '25.0.0']) {
    assert.equal(describeUnsupportedNode(version, 'npm run gateway'),
      `needs Node.js 24, running ${version}; start it with \`npm run gateway\` (Node 24 from node_modules) or \`npx node …\``);
  }
});
