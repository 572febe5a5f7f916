import serializer from './asset-hash-serializer';

const HASH = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);

test('replaces an asset hash inside an S3 key', () => {
  expect(serializer.test(`${HASH}.zip`)).toBe(true);
  expect(serializer.serialize(`${HASH}.zip`)).toBe('"<asset-hash>.zip"');
});

test('leaves strings without a 64-digit hash alone', () => {
  expect(serializer.test('arn:aws:s3:::bucket')).toBe(false);
  expect(serializer.test('abc123')).toBe(false);
});

test('a snapshot of a template with two different hashes stores neither', () => {
  expect({ Key: `${HASH}.zip`, Other: `asset.${'f'.repeat(64)}` }).toMatchInlineSnapshot(`
{
  "Key": "<asset-hash>.zip",
  "Other": "asset.<asset-hash>",
}
`);
});
