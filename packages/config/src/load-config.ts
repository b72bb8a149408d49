import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from './config-error.ts';
import { envLayers, type Env } from './env-layers.ts';
import { getPath, isTree, mergeLayers, treeAt, type Layer, type Merged } from './layers.ts';
import { resolveConfig, type ConfigSystem } from './resolve-config.ts';
import { configFileSchema, type Config } from './schema.ts';

/** The repository root: config/default.yaml and relative paths are found from here. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface LoadConfigOptions {
  /** Command-line arguments after the script name; `--config <file>` is read from them. */
  argv?: readonly string[];
  /** Defaults to process.env. */
  env?: Env;
  /** Extra YAML files merged after the defaults and before the --config/CONFIG_FILE file. */
  files?: readonly string[];
  /** Replaces config/default.yaml (tests). */
  defaultsFile?: string;
  /** Base for a relative --config path; defaults to process.cwd(). */
  cwd?: string;
  /** Base for relative paths inside the configuration; defaults to the repository root. */
  root?: string;
  system?: Partial<ConfigSystem>;
}

const defaultSystem: ConfigSystem = {
  hostname,
  pid: process.pid,
  networkInterfaces,
  randomSecret: () => randomBytes(32).toString('hex'),
};

/**
 * Loads config/default.yaml, then `files`, then the file from `--config` or CONFIG_FILE, then
 * environment overrides, deep-merged in that order, and validates the result.
 * Throws ConfigError naming every bad key and where its value came from.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const root = options.root ?? repoRoot;
  const system: ConfigSystem = { ...defaultSystem, ...options.system };
  const issues: ConfigIssue[] = [];

  const defaultsFile = options.defaultsFile ?? resolve(repoRoot, 'config/default.yaml');
  const defaultsSource = displayPath(defaultsFile, root);
  const files: { path: string; source: string }[] = [
    { path: defaultsFile, source: defaultsSource },
  ];
  for (const f of options.files ?? []) files.push({ path: resolve(cwd, f), source: f });
  const chosen = configFileArgument(options.argv ?? [], env, issues);
  if (chosen) files.push({ path: resolve(cwd, chosen.file), source: chosen.file });

  const layers: Layer[] = [];
  for (const f of files) {
    const values = readYamlFile(f.path, f.source, issues);
    if (values) layers.push({ source: f.source, values });
  }
  const fromEnv = envLayers(env);
  layers.push(...fromEnv.layers);
  issues.push(...fromEnv.issues);
  if (issues.length > 0) throw new ConfigError(issues);

  let merged = mergeLayers(layers);
  // SIP_PORT moves TLS along (port + 1) unless some file or variable chose the TLS port.
  const sipPort = env.SIP_PORT ? Number(env.SIP_PORT) : NaN;
  if (Number.isInteger(sipPort) && merged.sourceOf(['sip', 'tls', 'port']) === defaultsSource) {
    merged = mergeLayers([
      ...layers,
      { source: 'SIP_PORT', values: treeAt(['sip', 'tls', 'port'], sipPort + 1) },
    ]);
  }

  const parsed = configFileSchema.safeParse(merged.values);
  if (!parsed.success)
    throw new ConfigError(parsed.error.issues.flatMap((i) => describe(i, merged)));
  return resolveConfig(parsed.data, root, system);
}

function configFileArgument(
  argv: readonly string[],
  env: Env,
  issues: ConfigIssue[],
): { file: string } | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.startsWith('--config=')) return { file: arg.slice('--config='.length) };
    if (arg === '--config') {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        issues.push({ key: '', message: '--config needs a file name', source: '--config' });
        return undefined;
      }
      return { file: next };
    }
  }
  return env.CONFIG_FILE ? { file: env.CONFIG_FILE } : undefined;
}

function readYamlFile(
  path: string,
  source: string,
  issues: ConfigIssue[],
): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    issues.push({
      key: '',
      message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      source,
    });
    return undefined;
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    // The yaml library reports syntax errors by throwing; this is the edge where we turn that into a result.
    issues.push({
      key: '',
      message: `not valid YAML: ${(err as Error).message.split('\n')[0]}`,
      source,
    });
    return undefined;
  }
  if (doc === null || doc === undefined) return {};
  if (!isTree(doc)) {
    issues.push({ key: '', message: 'expected a mapping of keys at the top level', source });
    return undefined;
  }
  return doc;
}

function describe(issue: z.core.$ZodIssue, merged: Merged): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => {
      const path = [...issue.path, k];
      return {
        key: path.join('.'),
        message: 'unknown key',
        source: merged.sourceOf(path) ?? 'unknown',
      };
    });
  }
  const key = issue.path.map(String).join('.');
  if (issue.code === 'custom') {
    return [{ key, message: issue.message, source: merged.sourceOf(issue.path) ?? 'defaults' }];
  }
  const value = getPath(merged.values, issue.path);
  return [
    {
      key,
      message: `${issue.message}, got ${showValue(value)}`,
      source: merged.sourceOf(issue.path) ?? 'nowhere (the key is missing)',
    },
  ];
}

function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function displayPath(path: string, root: string): string {
  const rel = relative(root, path);
  return rel.startsWith('..') ? path : rel;
}
