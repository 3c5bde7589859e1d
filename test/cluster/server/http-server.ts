// I/O: the HTTPS edge — routing, body decoding, content negotiation (JSON or Table), Status errors, watch streams.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { load as loadYaml } from 'js-yaml';
import {
  ApiError, badRequest, methodNotAllowed, pageNotFound, toStatus, type Status,
} from '../api/status.ts';
import { decideRequestTarget } from '../api/request-info.ts';
import { metaOf } from '../api/object-meta.ts';
import { isJsonObject, type JsonObject, type JsonValue } from '../patch/json-value.ts';
import type { ResourceType } from '../resources/resource-type.ts';
import { parseLabelSelector, SelectorParseError, type LabelSelector } from '../selectors/label-selector.ts';
import { FieldSelectorError, parseFieldSelector, type FieldSelector } from '../selectors/field-selector.ts';
import { buildTable, columnsFor, type IncludeObject } from '../table/build-table.ts';
import type { ApiService, DeleteOptions, FieldValidation, PatchType, WriteOptions } from './api-service.ts';
import { buildApiGroup, buildApiGroupList, buildApiVersions, buildResourceList, SERVER_VERSION } from './discovery.ts';
import { buildOpenApiV3Document, buildOpenApiV3Index } from './openapi.ts';
import type { FaultState } from './faults.ts';
import { serveWatch } from './watch.ts';
import { handleScale } from './scale.ts';
import { decideReviewAttributes, type AccessControl } from '../auth/access-control.ts';
import { invalid } from '../api/status.ts';
import type { UserInfo } from './pipeline.ts';
import { decodeProtobufBody, ProtobufError } from './protobuf-bodies.ts';

export interface HttpServerOptions {
  service: ApiService;
  faults: FaultState;
  tls: { certPem: string; keyPem: string };
  bookmarkIntervalMs: number;
  access: AccessControl;
  /** `GET …/pods/<name>/log`, answered by the node agent (404 without one). */
  podLogs?: (namespace: string, name: string, query: PodLogQuery) => string;
}

export interface PodLogQuery {
  container: string | undefined;
  tailLines: number | undefined;
  previous: boolean;
  timestamps: boolean;
}

const MAX_BODY_BYTES = 3 * 1024 * 1024;
const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

export interface ApiHttpServer {
  server: Server;
  /** Closes the listener and every open connection (watches included). */
  close(): Promise<void>;
}

export function createApiHttpServer(options: HttpServerOptions): ApiHttpServer {
  const sockets = new Set<Socket>();
  const server = createServer({ cert: options.tls.certPem, key: options.tls.keyPem }, (req, res) => {
    handle(req, res, options).catch((err: unknown) => {
      sendStatus(res, toStatus(err));
    });
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    server,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
  };
}

function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private', ...headers });
  res.end(text);
}

function sendStatus(res: ServerResponse, status: Status): void {
  const headers: Record<string, string> = {};
  if (status.details?.retryAfterSeconds !== undefined) headers['Retry-After'] = String(status.details.retryAfterSeconds);
  sendJson(res, status.code, status, headers);
}

function warningHeaders(warnings: string[]): Record<string, string> {
  if (warnings.length === 0) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY_BYTES) {
      throw new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 413, reason: 'RequestEntityTooLarge', message: 'Request entity too large: limit is 3145728' });
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

function decodeBody(raw: Buffer, contentType: string): JsonValue {
  if (contentType.includes('protobuf') || contentType.includes('cbor')) {
    throw new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 415, reason: 'UnsupportedMediaType',
      message: `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml` });
  }
  const text = raw.toString('utf8');
  try {
    if (contentType.includes('yaml')) return loadYaml(text) as JsonValue;
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && accept.split(',')[0]!.includes('as=Table');
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') === true ? h.slice(7).trim() : undefined;
}

async function handle(req: IncomingMessage, res: ServerResponse, options: HttpServerOptions): Promise<void> {
  const { service, faults } = options;
  const url = new URL(req.url ?? '/', 'https://local');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (path === '/healthz' || path === '/livez' || path === '/readyz') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return;
  }
  if (path === '/version') {
    sendJson(res, 200, SERVER_VERSION);
    return;
  }
  const user = impersonate(req, service.pipeline.authenticate(bearer(req)), options.access);
  const failure = faults.takeFailure();
  if (failure !== undefined) throw failure;
  const target = decideRequestTarget(path);
  if (target.kind === 'unknown') {
    service.pipeline.authorizeNonResource(user, nonResourceVerb(req.method), url.pathname);
    throw pageNotFound();
  }
  if (target.kind === 'discovery') {
    service.pipeline.authorizeNonResource(user, nonResourceVerb(req.method), url.pathname);
    serveDiscovery(req, res, service, path);
    return;
  }
  const type = service.registry.find(target.group, target.version, target.resource);
  if (type === undefined) throw pageNotFound();
  if (!type.namespaced && target.namespace !== undefined) throw pageNotFound();
  const q = url.searchParams;
  const namespace = type.namespaced ? target.namespace : undefined;
  const method = req.method ?? 'GET';
  const isWatch = target.watchPrefix || q.get('watch') === 'true' || q.get('watch') === '1';
  const writeOptions: WriteOptions = { user, dryRun: q.get('dryRun') === 'All', fieldValidation: parseFieldValidation(q.get('fieldValidation')) };
  const sub = target.subresource;
  const isTokenRequest = sub === 'token' && type.group === '' && type.resource === 'serviceaccounts';
  if (sub === 'log' && type.group === '' && type.resource === 'pods' && options.podLogs !== undefined && target.name !== undefined && namespace !== undefined) {
    if (method !== 'GET') throw methodNotAllowed();
    service.authorize({ user, verb: 'get', type, namespace, name: target.name, subresource: 'log' });
    const tail = q.get('tailLines');
    const text = options.podLogs(namespace, target.name, {
      container: q.get('container') ?? undefined, tailLines: tail === null ? undefined : Number(tail),
      previous: q.get('previous') === 'true', timestamps: q.get('timestamps') === 'true',
    });
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
    res.end(text);
    return;
  }
  if (sub !== undefined && sub !== 'status' && !isTokenRequest && !(sub === 'scale' && type.subresources.scale !== undefined)) throw pageNotFound();
  if (sub === 'status' && !type.subresources.status) throw pageNotFound();

  if (type.group === 'authorization.k8s.io') {
    if (method !== 'POST' || target.name !== undefined) throw methodNotAllowed();
    service.authorize({ user, verb: 'create', type, namespace: undefined, name: undefined, subresource: undefined });
    const body = decodeReviewBody(await readBody(req), contentTypeOf(req));
    if (type.resource === 'selfsubjectrulesreviews') {
      const spec = isJsonObject(body) && isJsonObject(body.spec) ? body.spec : {};
      const ns = typeof spec.namespace === 'string' ? spec.namespace : '';
      sendJson(res, 201, { kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec, status: options.access.rulesReview(user, ns) });
      return;
    }
    sendJson(res, 201, reviewAccess(body, user, type.resource === 'subjectaccessreviews', options.access));
    return;
  }
  if (isTokenRequest) {
    if (method !== 'POST' || target.name === undefined || namespace === undefined) throw methodNotAllowed();
    service.authorize({ user, verb: 'create', type, namespace, name: target.name, subresource: 'token' });
    const body = decodeReviewBody(await readBody(req), contentTypeOf(req));
    const sa = service.get(type, namespace, target.name);
    sendJson(res, 201, requestToken(body, sa, options.access));
    return;
  }

  if (sub === 'scale') {
    const scaleVerb = method === 'GET' ? 'get' : method === 'PUT' ? 'update' : 'patch';
    service.authorize({ user, verb: scaleVerb, type, namespace, name: target.name, subresource: 'scale' });
    writeOptions.preAuthorized = true;
    const body = method === 'PUT' || method === 'PATCH' ? decodeBody(await readBody(req), req.headers['content-type'] ?? '') : undefined;
    const out = await handleScale({ service, type, namespace, name: target.name!, method, body, patchType: PATCH_TYPES[contentTypeOf(req)], options: writeOptions });
    sendJson(res, 200, out);
    return;
  }

  if (method === 'GET' && (isWatch || target.name === undefined)) {
    if (type.namespaced && target.namespace === undefined && target.name !== undefined) throw pageNotFound();
    const labelSelector = parseLabels(q.get('labelSelector'));
    let fieldSelector = parseFields(q.get('fieldSelector'), type);
    if (target.name !== undefined) fieldSelector = [...(fieldSelector ?? []), { field: 'metadata.name', op: '=', value: target.name }];
    service.authorize({ user, verb: isWatch ? 'watch' : 'list', type, namespace, name: target.name, subresource: undefined });
    const asTable = wantsTable(req.headers.accept);
    const includeObject = parseIncludeObject(q.get('includeObject'));
    if (isWatch) {
      const sendInitialEvents = q.get('sendInitialEvents');
      serveWatch(res, {
        type, namespace, labelSelector, fieldSelector,
        resourceVersion: q.get('resourceVersion') ?? undefined,
        allowWatchBookmarks: q.get('allowWatchBookmarks') === 'true',
        sendInitialEvents: sendInitialEvents === null ? undefined : sendInitialEvents === 'true',
        timeoutSeconds: q.get('timeoutSeconds') === null ? undefined : Number(q.get('timeoutSeconds')),
        render: asTable ? (obj, first): JsonObject => buildTable(columnsFor(type), [obj], {
          includeObject, now: Date.now(), resourceVersion: String(metaOf(obj).resourceVersion ?? ''), omitColumns: !first,
        }) : undefined,
      }, { service, faults, bookmarkIntervalMs: options.bookmarkIntervalMs, defaultTimeoutSeconds: 1800 });
      return;
    }
    const limit = q.get('limit') === null ? undefined : Number(q.get('limit'));
    const result = service.list(type, namespace, { labelSelector, fieldSelector, limit, continueToken: q.get('continue') ?? undefined });
    if (asTable) {
      const tableOptions: Parameters<typeof buildTable>[2] = { includeObject, now: Date.now(), resourceVersion: result.resourceVersion };
      if (result.continueToken !== undefined) tableOptions.continueToken = result.continueToken;
      if (result.remainingItemCount !== undefined) tableOptions.remainingItemCount = result.remainingItemCount;
      sendJson(res, 200, buildTable(columnsFor(type), result.items, tableOptions));
      return;
    }
    const metadata: JsonObject = { resourceVersion: result.resourceVersion };
    if (result.continueToken !== undefined) metadata.continue = result.continueToken;
    if (result.remainingItemCount !== undefined) metadata.remainingItemCount = result.remainingItemCount;
    sendJson(res, 200, { kind: type.listKind, apiVersion: type.group === '' ? type.version : `${type.group}/${type.version}`, metadata, items: result.items });
    return;
  }
  if (type.namespaced && target.namespace === undefined) throw pageNotFound();

  switch (method) {
    case 'GET': {
      service.authorize({ user, verb: 'get', type, namespace, name: target.name, subresource: sub });
      const obj = service.get(type, namespace, target.name!);
      if (wantsTable(req.headers.accept)) {
        sendJson(res, 200, buildTable(columnsFor(type), [obj], { includeObject: parseIncludeObject(q.get('includeObject')), now: Date.now(), resourceVersion: String(metaOf(obj).resourceVersion) }));
      } else {
        sendJson(res, 200, obj);
      }
      return;
    }
    case 'POST': {
      if (target.name !== undefined) throw methodNotAllowed();
      const body = decodeBody(await readBody(req), contentTypeOf(req));
      if (!isJsonObject(body)) throw badRequest('the body of the request must be a JSON object');
      const out = await service.create(type, namespace, body, writeOptions);
      sendJson(res, out.code, out.object, warningHeaders(out.warnings));
      return;
    }
    case 'PUT': {
      if (target.name === undefined) throw methodNotAllowed();
      const body = decodeBody(await readBody(req), contentTypeOf(req));
      if (!isJsonObject(body)) throw badRequest('the body of the request must be a JSON object');
      const out = await service.update(type, namespace, target.name, body, sub === 'status' ? 'status' : undefined, writeOptions);
      sendJson(res, out.code, out.object, warningHeaders(out.warnings));
      return;
    }
    case 'PATCH': {
      if (target.name === undefined) throw methodNotAllowed();
      const patchType = PATCH_TYPES[contentTypeOf(req)];
      if (patchType === undefined) {
        throw new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 415, reason: 'UnsupportedMediaType',
          message: `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_TYPES).join(', ')}` });
      }
      const raw = await readBody(req);
      const patch = patchType === 'apply' ? null : decodeBody(raw, 'application/json');
      const out = await service.patch(type, namespace, target.name, patchType, patch, sub === 'status' ? 'status' : undefined, writeOptions);
      sendJson(res, out.code, out.object, warningHeaders(out.warnings));
      return;
    }
    case 'DELETE': {
      const raw = await readBody(req);
      const body = raw.length === 0 ? {} : decodeBody(raw, 'application/json');
      const deleteOptions = parseDeleteOptions(isJsonObject(body) ? body : {}, q, writeOptions);
      if (target.name === undefined) {
        service.authorize({ user, verb: 'deletecollection', type, namespace, name: undefined, subresource: undefined });
        const listed = service.list(type, namespace, { labelSelector: parseLabels(q.get('labelSelector')), fieldSelector: parseFields(q.get('fieldSelector'), type) });
        const items: JsonValue[] = [];
        for (const item of listed.items) {
          const m = metaOf(item);
          try {
            const out = await service.delete(type, m.namespace, m.name!, { ...deleteOptions, preAuthorized: true });
            items.push(out.body as unknown as JsonValue);
          } catch (err) {
            if (!(err instanceof ApiError && err.code === 404)) throw err;
          }
        }
        sendJson(res, 200, { kind: type.listKind, apiVersion: type.group === '' ? type.version : `${type.group}/${type.version}`, metadata: { resourceVersion: String(service.store.currentResourceVersion()) }, items });
        return;
      }
      const out = await service.delete(type, namespace, target.name, deleteOptions);
      sendJson(res, out.code, out.body);
      return;
    }
    default:
      throw methodNotAllowed();
  }
}

function contentTypeOf(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim();
}

function serveDiscovery(req: IncomingMessage, res: ServerResponse, service: ApiService, path: string): void {
  const types = service.registry.all();
  const host = req.headers.host ?? '127.0.0.1';
  if (path === '/api') return sendJson(res, 200, buildApiVersions(host));
  if (path === '/apis') return sendJson(res, 200, buildApiGroupList(types));
  if (path === '/openapi/v3') return sendJson(res, 200, buildOpenApiV3Index(types, String(types.length)));
  const parts = path.split('/').filter((p) => p !== '');
  let doc: JsonObject | undefined;
  if (parts[0] === 'api' && parts.length === 2) doc = buildResourceList(types, '', parts[1]!);
  else if (parts[0] === 'apis' && parts.length === 2) doc = buildApiGroup(types, parts[1]!);
  else if (parts[0] === 'apis' && parts.length === 3) doc = buildResourceList(types, parts[1]!, parts[2]!);
  else if (parts[0] === 'openapi' && parts[1] === 'v3' && parts[2] === 'api' && parts.length === 4) doc = buildOpenApiV3Document(types, '', parts[3]!);
  else if (parts[0] === 'openapi' && parts[1] === 'v3' && parts[2] === 'apis' && parts.length === 5) doc = buildOpenApiV3Document(types, parts[3]!, parts[4]!);
  if (doc === undefined) throw pageNotFound();
  sendJson(res, 200, doc);
}

function parseLabels(text: string | null): LabelSelector | undefined {
  if (text === null || text === '') return undefined;
  try {
    return parseLabelSelector(text);
  } catch (err) {
    if (err instanceof SelectorParseError) throw badRequest(err.message);
    throw err;
  }
}

function parseFields(text: string | null, type: ResourceType): FieldSelector | undefined {
  if (text === null || text === '') return undefined;
  try {
    return parseFieldSelector(text, ['metadata.name', 'metadata.namespace', ...type.selectableFields]);
  } catch (err) {
    if (err instanceof FieldSelectorError) throw badRequest(`Unable to find "${type.group === '' ? '' : type.group + '/'}${type.version}, Resource=${type.resource}" that match label selector "", field selector "${text}": ${err.message}`);
    throw err;
  }
}

function parseIncludeObject(v: string | null): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function parseFieldValidation(v: string | null): FieldValidation | undefined {
  return v === 'Strict' || v === 'Warn' || v === 'Ignore' ? v : undefined;
}

function parseDeleteOptions(body: JsonObject, q: URLSearchParams, base: WriteOptions): DeleteOptions {
  const out: DeleteOptions = { ...base };
  const policy = (body.propagationPolicy ?? q.get('propagationPolicy')) as string | null | undefined;
  if (policy === 'Orphan' || policy === 'Background' || policy === 'Foreground') out.propagationPolicy = policy;
  else if (body.orphanDependents === true || q.get('orphanDependents') === 'true') out.propagationPolicy = 'Orphan';
  if (isJsonObject(body.preconditions)) {
    const pre: { uid?: string; resourceVersion?: string } = {};
    if (typeof body.preconditions.uid === 'string') pre.uid = body.preconditions.uid;
    if (typeof body.preconditions.resourceVersion === 'string') pre.resourceVersion = body.preconditions.resourceVersion;
    out.preconditions = pre;
  }
  if (Array.isArray(body.dryRun) && body.dryRun.includes('All')) out.dryRun = true;
  const grace = typeof body.gracePeriodSeconds === 'number' ? body.gracePeriodSeconds : q.get('gracePeriodSeconds') === null ? undefined : Number(q.get('gracePeriodSeconds'));
  if (grace !== undefined && Number.isInteger(grace) && grace >= 0) out.gracePeriodSeconds = grace;
  return out;
}

function nonResourceVerb(method: string | undefined): string {
  switch (method) {
    case 'POST': return 'post';
    case 'PUT': return 'put';
    case 'PATCH': return 'patch';
    case 'DELETE': return 'delete';
    case 'HEAD': return 'head';
    default: return 'get';
  }
}

function headerValues(req: IncomingMessage, name: string): string[] {
  const v = req.headersDistinct[name];
  return v === undefined ? [] : v.filter((x) => x !== '');
}

/** Applies the Impersonate-* headers (allowed only with the `impersonate` verb, e.g. for the admin). */
function impersonate(req: IncomingMessage, user: UserInfo, access: AccessControl): UserInfo {
  const as = headerValues(req, 'impersonate-user')[0];
  const groups = headerValues(req, 'impersonate-group');
  const uid = headerValues(req, 'impersonate-uid')[0];
  if (as === undefined && groups.length === 0 && uid === undefined) return user;
  const h: { user?: string; groups: string[]; uid?: string } = { groups };
  if (as !== undefined) h.user = as;
  if (uid !== undefined) h.uid = uid;
  return access.impersonate(user, h);
}

/** SelfSubjectAccessReview (about the requester) or SubjectAccessReview (about spec.user/groups). */
function reviewAccess(body: JsonValue, requester: UserInfo, subject: boolean, access: AccessControl): JsonObject {
  const review = isJsonObject(body) ? body : {};
  const spec = isJsonObject(review.spec) ? review.spec : {};
  const kind = subject ? 'SubjectAccessReview' : 'SelfSubjectAccessReview';
  let user = requester;
  if (subject) {
    user = { username: typeof spec.user === 'string' ? spec.user : '', groups: Array.isArray(spec.groups) ? spec.groups.filter((g): g is string => typeof g === 'string') : [] };
  }
  const attrs = decideReviewAttributes(spec, user);
  if (attrs === undefined) {
    throw invalid(kind, 'authorization.k8s.io', '', [{ field: 'spec.resourceAttributes', reason: 'FieldValueRequired', message: 'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified' }]);
  }
  const d = access.decide(attrs);
  const status: JsonObject = { allowed: d.allowed };
  if (d.reason !== '') status.reason = d.reason;
  const metadata = isJsonObject(review.metadata) ? review.metadata : {};
  return { kind, apiVersion: 'authorization.k8s.io/v1', metadata: { ...metadata, creationTimestamp: null }, spec, status };
}

/** TokenRequest (authentication.k8s.io/v1) on serviceaccounts/<name>/token. */
function requestToken(body: JsonValue, sa: JsonObject, access: AccessControl): JsonObject {
  const tr = isJsonObject(body) ? body : {};
  const spec = isJsonObject(tr.spec) ? tr.spec : {};
  const expirationSeconds = typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : undefined;
  if (expirationSeconds !== undefined && expirationSeconds < 600) {
    throw invalid('TokenRequest', 'authentication.k8s.io', metaOf(sa).name ?? '', [{ field: 'spec.expirationSeconds', reason: 'FieldValueInvalid', message: `Invalid value: ${expirationSeconds}: may not specify a duration less than 10 minutes` }]);
  }
  const audiences = Array.isArray(spec.audiences) ? spec.audiences.filter((a): a is string => typeof a === 'string') : undefined;
  const issued = access.issueToken(sa, { ...(audiences === undefined ? {} : { audiences }), ...(expirationSeconds === undefined ? {} : { expirationSeconds }) });
  const m = metaOf(sa);
  return {
    kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: m.name ?? '', namespace: m.namespace ?? '', creationTimestamp: null },
    spec: { audiences: issued.audiences, expirationSeconds: issued.expirationSeconds, boundObjectRef: isJsonObject(spec.boundObjectRef) ? spec.boundObjectRef : null },
    status: { token: issued.token, expirationTimestamp: issued.expirationTimestamp.toISOString().replace(/\.\d{3}Z$/, 'Z') },
  };
}

/** Review and TokenRequest bodies: JSON/YAML, or the protobuf kubectl sends for `auth can-i` and `create token`. */
function decodeReviewBody(raw: Buffer, contentType: string): JsonValue {
  if (!contentType.includes('protobuf')) return decodeBody(raw, contentType);
  try {
    return decodeProtobufBody(raw);
  } catch (err) {
    if (err instanceof ProtobufError) return decodeBody(raw, contentType);
    throw err;
  }
}
