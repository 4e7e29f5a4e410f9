# One image for the three services; docker-compose.yml picks the service with the command.
FROM node:24-bookworm-slim AS base
ENV NODE_ENV=production
WORKDIR /app
RUN npm install --global pnpm@12.21.0

FROM base AS deps
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages ./packages
COPY services ./services
COPY apps ./apps
RUN pnpm install --frozen-lockfile
# The dashboard's static files, built once here (its server skips the build when DASHBOARD_BUILD=false).
RUN cd apps/dashboard && node_modules/.bin/vite build

FROM base
# Chromium renders the PDF audit reports of the assessment service.
RUN apt-get update && apt-get install -y --no-install-recommends chromium && rm -rf /var/lib/apt/lists/*
COPY --from=deps /app /app
COPY migrations ./migrations
COPY tsconfig.base.json tsconfig.json ./
USER node
# TypeScript runs as is: Node 24 strips the (erasable-only) types.
CMD ["node", "services/assessment/src/main.ts"]
