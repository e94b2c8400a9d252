# The Kuray operator image: `docker build -t kuray-operator:0.1.0 .` from the repository root.
# Node 24 runs the TypeScript sources directly (type stripping), so there is no build step: the image
# holds production dependencies, bin/ and src/. Entry point: `kuray operator`.
# Not built or run in this repository's CI (no container engine there); the chart and manifests are
# tested by running the same `kuray operator` process against a real API server with the chart's RBAC.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev: no TypeScript, eslint, test tools or the pinned-node package; --ignore-scripts: no
# install scripts run in the image build.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
# The image's `node` user (uid/gid 1000): the Deployment runs non-root with a read-only root filesystem.
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["node", "/app/bin/kuray.js"]
CMD ["operator", "--metrics-addr=:8080"]
