import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/artifacts/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
    },
  },
  {
    // The codec, the web client and the emitter they share run in browsers too: no Node-only globals there.
    files: ['codec/**/*.ts', 'web/**/*.ts', 'lib/emitter.ts'],
    rules: {
      'no-restricted-globals': ['error', 'Buffer', 'process', '__dirname', 'require'],
    },
  },
  // Layers (docs/architecture.md): each folder may import only from the layers below it.
  layer(
    ['codec/**/*.ts', 'lib/**/*.ts'],
    ['server', 'web', 'feeds', 'bus', 'codec', 'lib'],
    ['codec', 'lib'],
  ),
  layer(['bus/**/*.ts'], ['server', 'web', 'feeds']),
  layer(['feeds/**/*.ts'], ['server', 'web']),
  layer(['web/**/*.ts'], ['server', 'feeds', 'bus']),
  // The engine knows no session, plugin or gateway wiring: it talks to a Sink and a Subscriber.
  layer(['server/engine/**/*.ts'], ['session', 'plugins', 'web', 'feeds'], [], ['../*.ts']),
  // A session knows the engine, never the routes that build it.
  layer(['server/session/**/*.ts'], ['plugins', 'web', 'feeds']),
);

/**
 * An ESLint block forbidding files from importing the named folders (except those in allow), and
 * the paths of `extra` (gitignore-style patterns of import paths, e.g. '../*.ts' for the files one
 * folder up).
 */
function layer(files, forbidden, allow = [], extra = []) {
  const group = forbidden
    .filter((f) => !allow.includes(f))
    .flatMap((f) => [`**/${f}/**`, `../${f}/**`, `../../${f}/**`, `../../../${f}/**`])
    .concat(extra);
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group, message: 'This import crosses layers: see docs/architecture.md.' }] },
      ],
    },
  };
}
