# The Kuray operator image: `docker build -t kuray-operator:0.1.0 .` from the repository root.
# The sources are TypeScript that Node 24 can run directly, but the image runs the compiled
# JavaScript (`npm run build` → dist/): Node's type stripping alone costs ~28 MiB RSS. The image holds
# production dependencies and dist/. Entry point: `kuray operator`.
# Not built or run in this repository's CI (no container engine there); the chart and manifests are
# tested by running the same `kuray operator` process against a real API server with the chart's RBAC,
# and the benchmark runs the same dist/ build.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
# Dev dependencies for tsc; --ignore-scripts: no install scripts (the pinned-node package's download
# is not needed, the base image's Node 24 runs tsc).
RUN npm ci --ignore-scripts
COPY src ./src
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev: no TypeScript, eslint, test tools or the pinned-node package; --ignore-scripts: no
# install scripts run in the image build.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production
# V8 flags of the operator process: src/operator/nodeFlags.ts says why (a test keeps the two equal;
# the flags Node refuses here, such as --memory-saver-mode, the operator sets itself at start).
ENV NODE_OPTIONS="--max-semi-space-size=2"
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
# The image's `node` user (uid/gid 1000): the Deployment runs non-root with a read-only root filesystem.
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]
CMD ["operator", "--metrics-addr=:8080"]
