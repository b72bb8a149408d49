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
} from './schema.ts';
export type { ConfigSystem } from './resolve-config.ts';
export type { Env } from './env-layers.ts';
