# The workbench's services and coordinators (docker-compose.yml runs one entry point per container).
FROM node:20-bookworm-slim
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund --loglevel=error
ENV NODE_ENV=production
