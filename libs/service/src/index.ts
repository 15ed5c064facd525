export { createLogger, parseLogLevel, type Logger, type LogLevel, type LogFields } from './logger.ts';
export { startHealthServer, type HealthServer } from './health.ts';
export { runService, type ServiceContext, type ServiceOptions } from './run-service.ts';
