/** Jest runs TypeScript through ts-jest without type-checking (isolatedModules): `npm run typecheck` and the jsii build do that once. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.ts'],
  maxWorkers: 2,
  testTimeout: 60_000,
  // lib/ holds jsii's .js next to the .ts sources: always run the .ts
  moduleFileExtensions: ['ts', 'js', 'json'],
};
