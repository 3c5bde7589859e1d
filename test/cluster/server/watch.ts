// I/O: one watch stream — initial state or history replay, selector transitions, bookmarks, timeout, faults.
import type { ServerResponse } from 'node:http';
import { gone, toStatus } from '../api/status.ts';
import { metaOf } from '../api/object-meta.ts';
import type { JsonObject } from '../patch/json-value.ts';
import { apiVersionOf, type ResourceType } from '../resources/resource-type.ts';
import { matchesLabels, type LabelSelector } from '../selectors/label-selector.ts';
import { matchesFields, type FieldSelector } from '../selectors/field-selector.ts';
import type { StoreEvent } from '../store/store.ts';
import type { ApiService } from './api-service.ts';
import type { FaultState } from './faults.ts';

export interface WatchRequest {
  type: ResourceType;
  namespace: string | undefined;
  labelSelector: LabelSelector | undefined;
  fieldSelector: FieldSelector | undefined;
  /** undefined or "0": start with the current state as ADDED events. */
  resourceVersion: string | undefined;
  allowWatchBookmarks: boolean;
  sendInitialEvents: boolean | undefined;
  timeoutSeconds: number | undefined;
  /** Render each object with this (e.g. as a one-row Table); undefined sends the object. */
  render: ((obj: JsonObject, first: boolean) => JsonObject) | undefined;
}

export interface WatchDeps {
  service: ApiService;
  faults: FaultState;
  bookmarkIntervalMs: number;
  defaultTimeoutSeconds: number;
}

export function serveWatch(res: ServerResponse, req: WatchRequest, deps: WatchDeps): void {
  const { service, faults } = deps;
  const { store } = service;
  const type = req.type;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  let stalled = faults.watchesStalled;
  let buffered: string[] = [];
  let first = true;
  let closed = false;
  const timers: NodeJS.Timeout[] = [];

  const write = (line: string): void => {
    if (closed) return;
    if (stalled) buffered.push(line);
    else res.write(line);
  };
  const send = (eventType: string, obj: JsonObject): void => {
    const rendered = req.render === undefined ? obj : req.render(obj, first);
    first = false;
    write(`${JSON.stringify({ type: eventType, object: rendered })}\n`);
  };
  const bookmark = (annotations?: Record<string, string>): void => {
    if (stalled || closed) return;
    const metadata: JsonObject = { resourceVersion: String(store.currentResourceVersion()) };
    if (annotations !== undefined) metadata.annotations = annotations;
    res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: type.kind, apiVersion: apiVersionOf(type), metadata } })}\n`);
  };
  const matches = (obj: JsonObject): boolean => {
    const m = metaOf(obj);
    if (type.namespaced && req.namespace !== undefined && m.namespace !== req.namespace) return false;
    if (req.labelSelector !== undefined && !matchesLabels(req.labelSelector, m.labels)) return false;
    return req.fieldSelector === undefined || matchesFields(req.fieldSelector, obj);
  };
  const deliver = (e: StoreEvent): void => {
    if (e.storageKey !== type.storageKey) return;
    const now = service.present(type, e.object);
    const isNow = matches(now);
    if (e.type === 'MODIFIED') {
      const wasBefore = e.oldObject !== undefined && matches(service.present(type, e.oldObject));
      if (isNow && wasBefore) send('MODIFIED', now);
      else if (isNow) send('ADDED', now);
      else if (wasBefore) send('DELETED', now);
    } else if (isNow) {
      send(e.type, now);
    }
  };

  const finish = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    unregister();
    for (const t of timers) clearTimeout(t);
    res.end();
  };

  const rv = req.resourceVersion;
  const fromState = rv === undefined || rv === '' || rv === '0' || req.sendInitialEvents === true;
  let replay: StoreEvent[] = [];
  if (!fromState) {
    const n = Number(rv);
    const start = Number.isInteger(n) && n >= 0 ? store.eventsAfter(n) : undefined;
    if (start === undefined || start.kind === 'expired') {
      const oldest = start?.kind === 'expired' ? start.oldest : 0;
      const status = toStatus(gone(`too old resource version: ${rv} (${oldest + 1})`));
      res.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
      return;
    }
    replay = start.events;
  }
  const unsubscribe = store.subscribe(deliver);
  const unregister = faults.register({
    drop: finish,
    setStalled: (on) => {
      stalled = on;
      if (!on && !closed) {
        for (const line of buffered) res.write(line);
        buffered = [];
      }
    },
  });
  res.on('close', finish);

  if (fromState) {
    for (const obj of store.list(type.storageKey, type.namespaced ? req.namespace : undefined)) {
      const presented = service.present(type, obj);
      if (matches(presented)) send('ADDED', presented);
    }
    if (req.sendInitialEvents === true && req.allowWatchBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else {
    for (const e of replay) deliver(e);
  }

  const timeoutMs = (req.timeoutSeconds ?? deps.defaultTimeoutSeconds) * 1000;
  timers.push(setTimeout(finish, timeoutMs));
  if (req.allowWatchBookmarks) {
    const tick = (): void => {
      bookmark();
      timers.push(setTimeout(tick, deps.bookmarkIntervalMs));
    };
    timers.push(setTimeout(tick, deps.bookmarkIntervalMs));
    timers.push(setTimeout(() => bookmark(), Math.max(timeoutMs - 1000, timeoutMs / 2)));
  }
}
