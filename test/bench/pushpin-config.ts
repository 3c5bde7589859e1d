// The Pushpin configuration the benchmark runs: pushpin.conf and routes for one instance in a temp dir. Pure.

export interface PushpinPorts {
  /** Where clients connect (WebSocket). */
  http: number;
  /** The HTTP publish API (POST /publish/). */
  publish: number;
  /** ZeroMQ publish and command sockets; TCP in the stock config, so they need free ports too. */
  zmqPush: number;
  zmqSub: number;
  zmqCommand: number;
}

export interface PushpinLayout { dir: string; ports: PushpinPorts; routesFile: string }

/** pushpin.conf: the stock settings, with every path under `dir` and every TCP port on loopback as given. */
export function buildPushpinConfig({ dir, ports, routesFile }: PushpinLayout): string {
  return [
    '[global]',
    'include={libdir}/internal.conf',
    `rundir=${dir}/run`,
    'ipc_prefix=pushpin-',
    'port_offset=0',
    'stats_connection_ttl=120',
    '[runner]',
    // zurl makes the proxy's requests to the backend; the stock internal.conf points at a system zurl in /var/run.
    'services=condure,zurl,pushpin-proxy,pushpin-handler',
    `http_port=127.0.0.1:${ports.http}`,
    `logdir=${dir}/log`,
    'log_level=1',
    'client_buffer_size=8192',
    'client_maxconn=50000',
    'condure_bin=condure',
    'zurl_bin=zurl',
    '[proxy]',
    `routesfile=${routesFile}`,
    'zurl_out_specs=ipc://{rundir}/{ipc_prefix}zurl-in',
    'zurl_out_stream_specs=ipc://{rundir}/{ipc_prefix}zurl-in-stream',
    'zurl_in_specs=ipc://{rundir}/{ipc_prefix}zurl-out',
    'sig_iss=pushpin',
    'sig_key=changeme',
    'updates_check=off',
    '[handler]',
    `push_in_spec=tcp://127.0.0.1:${ports.zmqPush}`,
    `push_in_sub_specs=tcp://127.0.0.1:${ports.zmqSub}`,
    'push_in_sub_connect=false',
    'push_in_http_addr=127.0.0.1',
    `push_in_http_port=${ports.publish}`,
    'stats_spec=ipc://{rundir}/{ipc_prefix}stats',
    `command_spec=tcp://127.0.0.1:${ports.zmqCommand}`,
    // The stock 2500 deliveries/s (and a queue of 25000) would measure the throttle, not Pushpin: a broadcast to 5000
    // connections is already 5000 deliveries.
    'message_rate=1000000',
    'message_hwm=1000000',
    'message_wait=5000',
    'id_cache_ttl=60',
    'connection_subscription_max=20',
    'subscription_linger=60',
    '',
  ].join('\n');
}

/** Every path to the backend on loopback, as WebSocket-over-HTTP (`over_http`). */
export function buildPushpinRoutes(backendPort: number): string {
  return `* 127.0.0.1:${backendPort},over_http\n`;
}

/** The publish API body that sends `content` as one WebSocket text message to every subscriber of `channel`. */
export function buildPublishBody(channel: string, content: string): string {
  return JSON.stringify({ items: [{ channel, formats: { 'ws-message': { content } } }] });
}
