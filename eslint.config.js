// Lint: typescript-eslint's recommended rules, no import cycles, and the SIP stack's layer
// order (STYLE.md rule 1): a layer imports only the layers below it.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

// packages/sip/src/<layer> → the layers it must not import (everything above it).
const sipLayers = ['core', 'message', 'transport', 'transaction', 'dialog', 'auth', 'app'];
const layerRules = sipLayers.map((layer, i) => ({
  files: [`packages/sip/src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: ['@ipvoice/*'], message: 'sip depends on nothing of ours' },
          ...sipLayers.slice(i + 1).map((above) => ({
            group: [`../${above}/*`, `../${above}`, `../${above}/index.ts`],
            message: `${layer} sits below ${above}`,
          })),
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'var/**', '**/.turbo/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-cycle': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['packages/*/src/**/*.ts', 'services/*/src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  ...layerRules,
);
