// The parts of prom-client the gateway uses, each from its own file. prom-client's index also loads its Pushgateway
// (which requires zlib and https at once), the cluster aggregator and Summary, none of which a sidecar uses.
import Counter from 'prom-client/lib/counter.js';
import Gauge from 'prom-client/lib/gauge.js';
import Histogram from 'prom-client/lib/histogram.js';
import Registry from 'prom-client/lib/registry.js';
import collectDefaultMetrics from 'prom-client/lib/defaultMetrics.js';

export { Counter, Gauge, Histogram, Registry, collectDefaultMetrics };
