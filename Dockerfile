# 365 Cloud Guardian — one image for every ROLE (all | gateway | dispatcher | api).
# Production points DATABASE_URL at PostgreSQL/TimescaleDB and REDIS_URL at Redis, so the
# embedded defaults (embedded-postgres, private redis-server) are not used in containers.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# tsx runs the TypeScript sources directly; dev dependencies (tests, type-checker) stay out.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY . .
RUN useradd --system --uid 10001 guardian && mkdir -p /app/data && chown guardian /app/data
USER guardian
EXPOSE 1883 8080
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "bin/guardian.mjs", "start"]
