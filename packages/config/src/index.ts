export { loadConfig, repoRoot, type LoadConfigOptions } from './load-config.ts';
export { ConfigError, type ConfigIssue } from './config-error.ts';
export {
  configFileSchema,
  logLevels,
  digestAlgorithms,
  type Config,
  type ConfigFile,
  type LogLevel,
  type DigestAlgorithm,
  forwardingHistoryHeaders,
  announcementLanguages,
  type AnnouncementLanguage,
  mailTransports,
  mailLanguages,
  type MailTransport,
  type MailLanguage,
  type ForwardingHistoryHeader,
  type Trunk,
} from './schema.ts';
export type { ConfigSystem } from './resolve-config.ts';
export type { Env } from './env-layers.ts';
export { runService, type RunningService, type ServiceLogger } from './run-service.ts';
