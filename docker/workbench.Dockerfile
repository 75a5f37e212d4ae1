# The workbench's services and coordinators (docker-compose.yml runs one entry point per container).
FROM node:20-bookworm-slim
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund --loglevel=error
# The processes run compiled (ADR 0014), as the launcher runs them.
RUN npm run build
ENV NODE_ENV=production
