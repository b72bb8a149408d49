// Scenario checks against Kamailio: `cd test && npx ava --config sipp/ava.config.mjs`.
export default {
  files: ['sipp/kamailio/**/*.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  timeout: '60s',
  concurrency: 4,
  workerThreads: false,
};
