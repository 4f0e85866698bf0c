// Lint for the whole repository. Type-checked rules everywhere, React
// hooks rules in the page, and import rules that keep the layers of the
// data path apart: each folder of src/ may only reach the layers under it.
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** The layers of src/, each allowed to import only what comes after it. */
const layers = [
  'app',
  'ui',
  'store',
  'warehouse',
  'crawl',
  'pipeline',
  'orthanc',
  'lib',
];

function layerRule(layer) {
  const above = layers.slice(0, layers.indexOf(layer));
  // crawl and warehouse sit side by side: neither may reach the other.
  const sibling = layer === 'crawl' ? ['warehouse'] : [];
  const forbidden = [...new Set([...above, ...sibling])];
  const patterns = forbidden.map((l) => ({
    group: [`**/${l}/*`, `../${l}/*`, `../../${l}/*`],
    message: `src/${layer} may not import from src/${l}.`,
  }));
  const duckdb =
    layer === 'warehouse'
      ? []
      : [
          {
            group: ['@duckdb/duckdb-wasm', '@duckdb/duckdb-wasm/*'],
            message: 'Only src/warehouse talks to DuckDB-WASM.',
          },
        ];
  return {
    files: [`src/${layer}/**/*.{ts,tsx}`],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...patterns, ...duckdb] },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      'dist',
      'node_modules',
      'test-results',
      'playwright-report',
      '.orthanc',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['eslint.config.js'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['server/**/*.ts', 'scripts/**/*.ts', 'e2e/**/*.ts', '*.config.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-console': 'off' },
  },
  ...layers.map(layerRule),
);
