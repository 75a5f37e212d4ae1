-- One database per service and per coordinator; the same list as the no-Docker stack
-- (packages/stack/src/settings.ts DATABASES; a test keeps the two in step).
CREATE DATABASE orders;
CREATE DATABASE inventory;
CREATE DATABASE payments;
CREATE DATABASE notifications;
CREATE DATABASE orchestrator_custom;
CREATE DATABASE orchestrator_temporal;
CREATE DATABASE orchestrator_dbos;
CREATE DATABASE orchestrator_restate;
