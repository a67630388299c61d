# syntax=docker/dockerfile:1
# One image for every process kind: `docker run IMAGE api|engine|persister|stream|migrate|platform`.
# Stages: `build` installs every dependency with npm ci (the lockfile the project tests with) and builds
# the web app; `prod-deps` installs production dependencies only; the final stage is Bun with the
# sources, those node_modules and the built web app, running as the unprivileged `bun` user.
ARG NODE_VERSION=20.19
ARG BUN_VERSION=1.4.5

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY apps/api/package.json apps/api/
COPY apps/bot/package.json apps/bot/
COPY apps/engine/package.json apps/engine/
COPY apps/persister/package.json apps/persister/
COPY apps/platform/package.json apps/platform/
COPY apps/stream/package.json apps/stream/
COPY apps/web/package.json apps/web/
COPY packages/ packages/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build -w @ox/web

FROM node:${NODE_VERSION}-bookworm-slim AS prod-deps
WORKDIR /src
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/apps/ apps/
COPY --from=build /src/packages/ packages/
# Workspaces are linked (node_modules/@ox/* -> ../../apps|packages/*); dev tools (vite, biome, tsc,
# drizzle-kit, the bun npm package) are left out: the runtime image brings its own Bun.
# apps/web/dist came with apps/ from `build`: the web app the api (WEB_DIST) and the platform serve,
# and apps/web/dist-server beside it: the home page's server render (apps/api/src/static-web.ts).
RUN test -f apps/web/dist/index.html && test -f apps/web/dist-server/prerender.js \
  && rm -rf node_modules apps/*/node_modules packages/*/node_modules \
  && npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM oven/bun:${BUN_VERSION}-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    DATA_DIR=/data \
    WEB_DIST=/app/apps/web/dist \
    PORT=3000
COPY --from=prod-deps --chown=bun:bun /src/node_modules/ node_modules/
COPY --from=build --chown=bun:bun /src/package.json ./
COPY --from=build --chown=bun:bun /src/tsconfig.base.json /src/tsconfig.json /src/bunfig.toml ./
# Sources with their production-only nested node_modules, and apps/web/dist (built in `build`).
COPY --from=prod-deps --chown=bun:bun /src/packages/ packages/
COPY --from=prod-deps --chown=bun:bun /src/apps/ apps/
COPY --from=build --chown=bun:bun /src/scripts/ scripts/
COPY --from=build --chown=bun:bun /src/infra/docker/ infra/docker/
RUN mkdir -p /data && chown bun:bun /data && chmod 0700 /data
USER bun
VOLUME ["/data"]
EXPOSE 3000 3001
ENTRYPOINT ["/app/infra/docker/entrypoint.sh"]
CMD ["--help"]
