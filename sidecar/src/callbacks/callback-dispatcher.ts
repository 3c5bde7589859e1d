// Delivers one callback to the app under the global concurrency limit, retrying only what never reached it (SPEC A3). I/O.
import type { Logger } from 'pino';
import type { AppClient, DeliveryResult } from './app-client.ts';
import type { InlineReply } from './inline-reply.ts';
import type { ConcurrencyLimit } from './concurrency-limit.ts';
import type { LogAggregator } from '../observability/log-aggregator.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';

export type CallbackAction = 'open' | 'message' | 'close';

export interface CallbackJob {
  action: CallbackAction;
  connId: string;
  body: string;
  cookie: string | undefined;
}

export interface DispatchOptions {
  /** Overrides WS_CALLBACK_RETRY_MS for this callback. */
  retryBudgetMs?: number;
  /** The open callback in authorize mode: a non-2xx answer is the app's decision, not a failure. */
  nonSuccessIsAnswer?: boolean;
}

export interface CallbackDispatcher {
  /** Never rejects: every outcome is logged and counted here. */
  dispatch(job: CallbackJob, options?: DispatchOptions): Promise<DeliveryResult>;
  /** Close callbacks sent to the app and not answered yet (the shutdown report tells them from never sent). */
  readonly closesInFlight: number;
}

export interface CallbackDispatcherOptions {
  client: AppClient;
  limit: ConcurrencyLimit;
  retryMs: number;
  metrics: GatewayMetrics;
  log: Logger;
  /** Failure lines go through it: one line per code (and status) per interval, with a count (F9). */
  failureLog: LogAggregator;
  /** WS_MAX_BUFFERED_BYTES: the largest inline reply (SPEC A9) read from an answer to an open or message callback. */
  replyLimitBytes: number;
}

const firstBackoffMs = 50;
const maxBackoffMs = 1000;

export function createCallbackDispatcher(options: CallbackDispatcherOptions): CallbackDispatcher {
  const { client, limit, metrics, log, failureLog } = options;
  let closesInFlight = 0;

  async function attempt(job: CallbackJob): Promise<DeliveryResult> {
    await limit.acquire();
    const started = performance.now();
    const isClose = job.action === 'close';
    if (isClose) closesInFlight++;
    try {
      const result = await client.post(job.body, job.cookie, isClose ? {} : { replyLimitBytes: options.replyLimitBytes, readSubscribe: job.action === 'open' });
      if (result.kind === 'delivered') metrics.callbackDuration.observe({ action: job.action }, (performance.now() - started) / 1000);
      return result;
    } finally {
      if (isClose) closesInFlight--;
      limit.release();
    }
  }

  return {
    get closesInFlight() {
      return closesInFlight;
    },
    async dispatch(job, dispatchOptions = {}) {
      const deadline = performance.now() + (dispatchOptions.retryBudgetMs ?? options.retryMs);
      let backoffMs = firstBackoffMs;
      for (let tries = 1; ; tries++) {
        const result = await attempt(job);
        if (result.kind === 'unreachable' && performance.now() + backoffMs < deadline) {
          log.debug({ action: job.action, conn_id: job.connId, error: result.error, tries }, 'app unreachable, retrying callback');
          await new Promise((resolve) => setTimeout(resolve, backoffMs));
          backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
          continue;
        }
        report(job, result, tries, dispatchOptions.nonSuccessIsAnswer === true);
        return result;
      }
    },
  };

  function reportDroppedReply(job: CallbackJob, reply: Exclude<InlineReply, { kind: 'frame' }>): void {
    const context = { action: job.action, conn_id: job.connId };
    if (reply.kind === 'too-large') {
      metrics.inlineRepliesDropped.inc({ reason: 'too_large' });
      failureLog.report('GW_ERR_REPLY_TOO_LARGE', 'warn', { ...context, bytes: reply.bytes, limit: options.replyLimitBytes, code: 'GW_ERR_REPLY_TOO_LARGE' }, 'inline reply larger than WS_MAX_BUFFERED_BYTES dropped; the connection stays open');
      return;
    }
    metrics.inlineRepliesDropped.inc({ reason: 'incomplete' });
    failureLog.report('GW_ERR_REPLY_INCOMPLETE', 'warn', { ...context, code: 'GW_ERR_REPLY_INCOMPLETE' }, 'inline reply body did not arrive whole; dropped');
  }

  function report(job: CallbackJob, result: DeliveryResult, tries: number, nonSuccessIsAnswer: boolean): void {
    const context = { action: job.action, conn_id: job.connId, tries };
    switch (result.kind) {
      case 'delivered':
        if (result.reply !== undefined && result.reply.kind !== 'frame') reportDroppedReply(job, result.reply);
        for (const problem of result.subscribe?.problems ?? []) {
          failureLog.report('GW_ERR_OPEN_SUBSCRIBE', 'warn', { ...context, error: problem, code: 'GW_ERR_OPEN_SUBSCRIBE' }, 'open answer named an invalid channel; the valid ones were joined');
        }
        if (result.status >= 200 && result.status < 300) return;
        if (nonSuccessIsAnswer) {
          log.debug({ ...context, status: result.status }, 'app refused the connection');
          return;
        }
        metrics.callbackFailures.inc({ reason: 'http_status' });
        failureLog.report(`GW_ERR_CALLBACK_STATUS:${result.status}`, 'warn', { ...context, status: result.status, code: 'GW_ERR_CALLBACK_STATUS' }, 'app answered the callback with a non-2xx status');
        return;
      case 'timeout':
        metrics.callbackFailures.inc({ reason: 'timeout' });
        failureLog.report('GW_ERR_CALLBACK_TIMEOUT', 'warn', { ...context, code: 'GW_ERR_CALLBACK_TIMEOUT' }, 'app did not answer the callback in time; not retried');
        return;
      case 'unreachable':
        metrics.callbackFailures.inc({ reason: 'unreachable' });
        failureLog.report('GW_ERR_CALLBACK_UNREACHABLE', 'error', { ...context, error: result.error, code: 'GW_ERR_CALLBACK_UNREACHABLE' }, 'app unreachable; callback given up after retrying');
        return;
      case 'failed':
        metrics.callbackFailures.inc({ reason: 'connection_lost' });
        failureLog.report('GW_ERR_CALLBACK_CONNECTION_LOST', 'warn', { ...context, error: result.error, code: 'GW_ERR_CALLBACK_CONNECTION_LOST' }, 'connection to the app broke during the callback; not retried');
        return;
      case 'invalid':
        metrics.callbackFailures.inc({ reason: 'config_error' });
        failureLog.report('GW_ERR_CALLBACK_CONFIG', 'error', { ...context, error: result.error, code: 'GW_ERR_CALLBACK_CONFIG' }, 'the callback request could not be built (check WS_URL and WS_APP_HOST); not sent');
        return;
    }
  }
}
