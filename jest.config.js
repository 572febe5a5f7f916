/** Jest runs TypeScript through ts-jest without type-checking (isolatedModules): `npm run typecheck` and the jsii build do that once. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // the consumer app's own test runs in its temp dir, against the packed library (npm run test:consumer)
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/consumer/app/'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.ts'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  maxWorkers: 2,
  testTimeout: 60_000,
  moduleFileExtensions: ['ts', 'js', 'json'],
  modulePathIgnorePatterns: ['<rootDir>/build/', '<rootDir>/cdk.out/'],
};
