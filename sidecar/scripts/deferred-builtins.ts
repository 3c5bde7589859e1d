// An esbuild plugin that loads some Node builtins on first use instead of when the bundle starts (pure: builds the
// plugin; esbuild does the I/O). ws requires https and tls for its client side, which the gateway never uses: loading
// them costs ~2.7 MiB of idle RSS per pod (OpenSSL's TLS code and state). Semantics are kept: the first property read
// (https.request, tls.connect, …) requires the real module and every later read is served by it.
import type { Plugin } from 'esbuild';

const namespace = 'deferred-builtin';

/** The stand-in module for builtin `name`: a proxy over the real module, required on first access. */
export function deferredBuiltinSource(name: string): string {
  return [
    'let loaded;',
    `const real = () => (loaded ??= require(${JSON.stringify(`node:${name}`)}));`,
    'module.exports = new Proxy({}, {',
    '  get: (_, key) => real()[key],',
    '  has: (_, key) => key in real(),',
    '  ownKeys: () => Reflect.ownKeys(real()),',
    // A proxy may only report a property as non-configurable if its target has it; these target nothing.
    '  getOwnPropertyDescriptor: (_, key) => { const found = Object.getOwnPropertyDescriptor(real(), key); return found && { ...found, configurable: true }; },',
    '});',
    '',
  ].join('\n');
}

/** Resolves `name` and `node:name` for each builtin to its deferred stand-in. */
export function deferredBuiltins(names: readonly string[]): Plugin {
  const filter = new RegExp(`^(node:)?(${names.join('|')})$`);
  return {
    name: namespace,
    setup(build) {
      build.onResolve({ filter }, (args) =>
        // The stand-in's own require is the real builtin.
        args.namespace === namespace ? { path: args.path, external: true } : { path: args.path.replace(/^node:/, ''), namespace });
      build.onLoad({ filter: /.*/, namespace }, (args) => ({ contents: deferredBuiltinSource(args.path), loader: 'js' }));
    },
  };
}
