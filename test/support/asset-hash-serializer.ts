/**
 * Jest snapshot serializer: replaces asset hashes (64 hex digits, alone or inside an S3 key such as
 * `<hash>.zip` or `asset.<hash>`) by a fixed marker, so a snapshot changes only when a template does,
 * not when a handler's bundle is rebuilt.
 */
const ASSET_HASH = /[0-9a-f]{64}/g;

function hasHash(value: unknown): value is string {
  return typeof value === 'string' && /[0-9a-f]{64}/.test(value);
}

const serializer = {
  test: (value: unknown) => hasHash(value),
  serialize: (value: string) => JSON.stringify(value.replace(ASSET_HASH, '<asset-hash>')),
};

export = serializer;
