// describeListenFailure and friends: which error is whose listen failure, and the one line each gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApiServerUnreachable, describeListenFailure, describeMissingNamespaces, ExitCode, type ListenSite } from './exit-codes.ts';

const webhook: ListenSite = { what: 'webhook', host: 'hook.local', port: 9443, hostOption: '--webhook-host', portOption: '--webhook-port' };

function systemError(message: string, fields: Record<string, string>): Error {
  return Object.assign(new Error(message), fields);
}

test('a listen error of this server maps to 3 or 4, naming its options', () => {
  assert.deepEqual(describeListenFailure(systemError('listen EADDRINUSE', { code: 'EADDRINUSE', syscall: 'listen' }), webhook), {
    exitCode: ExitCode.AddressInUse,
    message: 'the webhook cannot listen on hook.local:9443: another process already listens there (EADDRINUSE); stop it, or pick a free port with --webhook-port',
  });
  const unresolved = describeListenFailure(systemError('getaddrinfo ENOTFOUND hook.local', { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'hook.local' }), webhook);
  assert.equal(unresolved?.exitCode, ExitCode.AddressNotAvailable);
  assert.match(unresolved?.message ?? '', /"hook\.local" does not resolve \(ENOTFOUND\); set --webhook-host/);
  // Wrapped in a cause, as start-up code may rethrow it.
  const wrapped = new Error('webhook failed', { cause: systemError('listen EADDRNOTAVAIL', { code: 'EADDRNOTAVAIL', syscall: 'listen' }) });
  assert.equal(describeListenFailure(wrapped, webhook)?.exitCode, ExitCode.AddressNotAvailable);
});

test('the same codes from an API request are not a listen failure', () => {
  assert.equal(describeListenFailure(systemError('getaddrinfo ENOTFOUND api.example', { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'api.example' }), webhook), undefined);
  assert.equal(describeListenFailure(systemError('connect ECONNREFUSED', { code: 'ECONNREFUSED', syscall: 'connect' }), webhook), undefined);
  assert.equal(describeListenFailure(new Error('HTTP 500'), webhook), undefined);
});

test('API server and namespace lines name the cause, the causes chain, and what to do', () => {
  const refused = new Error('fetch failed', { cause: systemError('connect ECONNREFUSED 127.0.0.1:6443', { code: 'ECONNREFUSED' }) });
  assert.deepEqual(describeApiServerUnreachable(refused, 'https://127.0.0.1:6443', './kubeconfig'), {
    exitCode: ExitCode.ApiServerUnreachable,
    message: 'cannot reach the API server at https://127.0.0.1:6443 (from ./kubeconfig): fetch failed: connect ECONNREFUSED 127.0.0.1:6443; check that the cluster is running and that the kubeconfig names it',
  });
  assert.equal(describeMissingNamespaces([{ name: 'ops', option: '--namespace' }]).message,
    'namespace "ops" (--namespace) does not exist; create it (kubectl create namespace …) or fix the option');
  assert.equal(describeMissingNamespaces([{ name: 'a', option: '--watch-namespaces' }, { name: 'b', option: '--watch-namespaces' }]).exitCode, ExitCode.NamespaceMissing);
});
