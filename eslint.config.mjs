import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/', 'build/', 'assets/', 'dist/', 'cdk.out/', 'integ/**/*.snapshot/', 'coverage/', '.tmp/',
      // the consumer app and its instrument resolve 'cdk-security-patterns' only when installed from the tarball (npm run test:consumer)
      'test/consumer/app/', 'test/consumer/harness/'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.dev.json' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      // constructs are created for their side effects on the tree
      'no-new': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      // no focused or skipped tests may be left behind
      'no-restricted-syntax': ['error',
        { selector: "CallExpression[callee.object.name=/^(test|it|describe)$/][callee.property.name=/^(only|skip|todo)$/]", message: 'no focused, skipped or todo tests' },
        { selector: "CallExpression[callee.name=/^(xit|xtest|xdescribe|fit|fdescribe)$/]", message: 'no focused or skipped tests' },
      ],
    },
  },
  {
    // tests and scripts read raw CloudFormation JSON
    files: ['test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    rules: { '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: { globals: { console: 'readonly', process: 'readonly', module: 'writable', require: 'readonly', __dirname: 'readonly' } },
  },
);
