# syntax=docker/dockerfile:1
# The two images of tapr-ws, built from the repository root, one target each:
#   docker build --target ws-gateway -t ghcr.io/tapr-ws/ws-gateway:0.1.0 .
#   docker build --target operator   -t ghcr.io/tapr-ws/operator:0.1.0 .
# Both: Node 24, compiled JavaScript (no type stripping at run time: ~25 MB less RSS per gateway; the gateway as one
# CommonJS bundle, sidecar/scripts/bundle.ts: ~17 MiB less again), only the workspace's production dependencies,
# a numeric non-root user, nothing written at run time (readOnlyRootFilesystem),
# exec-form entrypoint so node is PID 1 and handles SIGTERM itself.
ARG NODE_IMAGE=node:24-bookworm-slim

# Compiles sidecar/src and operator/src (the operator hashes gateway settings with the gateway's own config schema),
# then bundles the gateway into dist/ws-gateway/ws-gateway.cjs (esbuild, a devDependency).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY sidecar/package.json sidecar/
COPY operator/package.json operator/
# Every workspace the lock file names, or npm ci refuses the lock (client/ has no production dependencies).
COPY client/package.json client/
# --ignore-scripts: the `node` devDependency would download a second Node binary; this image already is Node 24.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY sidecar/src sidecar/src
COPY sidecar/scripts sidecar/scripts
COPY operator/src operator/src
RUN npx tsc -p tsconfig.build.json && node sidecar/scripts/bundle.ts dist/ws-gateway/ws-gateway.cjs

FROM ${NODE_IMAGE} AS gateway-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY sidecar/package.json sidecar/
COPY operator/package.json operator/
# Every workspace the lock file names, or npm ci refuses the lock (client/ has no production dependencies).
COPY client/package.json client/
RUN npm ci --omit=dev --workspace sidecar --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS operator-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY sidecar/package.json sidecar/
COPY operator/package.json operator/
COPY client/package.json client/
RUN npm ci --omit=dev --workspace operator --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS ws-gateway
ENV NODE_ENV=production
WORKDIR /app
# The bundle carries every dependency but @redis/client, which it requires from here only when WS_REDIS_URL is set.
COPY --from=gateway-deps /app/node_modules node_modules
COPY --from=build /src/dist/ws-gateway/ws-gateway.cjs ./
# 65532: the user the operator sets in the injected container's securityContext (runAsNonRoot needs a numeric USER).
USER 65532:65532
EXPOSE 40010
# The gateway drains on SIGTERM: close 1001 to every client, every close callback delivered, then exit.
# --max-semi-space-size=2 (MiB): V8's default young generation grows to tens of MiB on the garbage of connection
# opens and keeps the pages. With 2: 20.4 KiB RSS per idle connection at 2k and 8.4 at 10k (8: 24.9 and 10.8;
# V8 default: 28.6 and 17.9). Under the echo load it scavenges more often but pauses no longer in total (~1% of the
# time, longest ~6 ms), since a scavenge costs what survives, not the space's size (docs/performance.md, Gateway).
# npm run bench:gateway runs the gateway with these flags.
ENTRYPOINT ["node", "--max-semi-space-size=2", "ws-gateway.cjs"]

FROM ${NODE_IMAGE} AS operator
ENV NODE_ENV=production
WORKDIR /app
COPY --from=operator-deps /app/node_modules node_modules
COPY package.json ./
COPY operator/package.json operator/
COPY sidecar/package.json sidecar/
COPY --from=build /src/dist/operator/src operator/src
COPY --from=build /src/dist/sidecar/src sidecar/src
USER 65532:65532
# 9443: the admission webhook (HTTPS); 8080: /healthz, /readyz, /metrics.
EXPOSE 9443 8080
# The operator releases its Lease on SIGTERM, so another replica leads at once.
ENTRYPOINT ["node", "operator/src/main.js"]
