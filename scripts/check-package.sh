#!/usr/bin/env bash
# Installs the packed npm package (what `npm publish` would upload) into a scratch CDK app outside the
# repo and synthesizes constructs that deploy bundled Lambda code, so a missing file in `files`, a
# path into the repo from the library, or an unbuilt asset fails here and not on a user's machine.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"
tarball="$(npm pack --silent --pack-destination "$work" | tail -1)"
# every bundle ships with its source map: the functions run with --enable-source-maps
contents="$(tar -tzf "$work/$tarball")"
bundles=$(grep -c '^package/assets/.*/index\.js$' <<<"$contents" || true)
[ "$bundles" -gt 0 ] || { echo "check-package: no Lambda bundle (assets/**/index.js) in $tarball; run npm run bundle" >&2; exit 1; }
for bundle in $(grep '^package/assets/.*/index\.js$' <<<"$contents"); do
  grep -qx "$bundle.map" <<<"$contents" || { echo "check-package: $bundle ships without its source map $bundle.map" >&2; exit 1; }
done
mkdir -p "$work/app/node_modules"
tar -xzf "$work/$tarball" -C "$work/app/node_modules"
mv "$work/app/node_modules/package" "$work/app/node_modules/cdk-security-patterns"
# the peers come from this repo's install: no registry access needed
ln -s "$root/node_modules/aws-cdk-lib" "$work/app/node_modules/aws-cdk-lib"
ln -s "$root/node_modules/constructs" "$work/app/node_modules/constructs"
cat > "$work/app/app.js" <<'JS'
const { App, Stack } = require('aws-cdk-lib');
const patterns = require('cdk-security-patterns');
const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Consumer', { env: { account: '222222222222', region: 'eu-west-1' } });
new patterns.RotatingSecret(stack, 'ApiKey', { rotation: patterns.RotationStrategy.randomKey() });
new patterns.CrossAccountRole(stack, 'Auditor', { trustedAccounts: [patterns.TrustedAccount.thirdParty('333333333333', '7f1c2a9e-4b7d-4f0e-9d1a-2b6c8e5f3a10')] });
const assembly = app.synth();
const template = assembly.getStackByName('Consumer').template;
const types = Object.values(template.Resources).map((r) => r.Type);
for (const needed of ['AWS::SecretsManager::Secret', 'AWS::Lambda::Function', 'AWS::IAM::Role']) {
  if (!types.includes(needed)) throw new Error(`check-package: ${needed} missing from the consumer stack`);
}
const fs = require('node:fs');
const path = require('node:path');
const assets = fs.readdirSync(assembly.directory).filter((d) => d.startsWith('asset.') && fs.existsSync(path.join(assembly.directory, d, 'index.js')));
if (assets.length === 0) throw new Error('check-package: no Lambda bundle staged from the package assets/');
console.log(`check-package: the packed library synthesized ${types.length} resources and ${assets.length} asset(s) outside the repo`);
JS
cd "$work/app"
node app.js
size=$(du -k "$work/$tarball" | cut -f1)
files=$(tar -tzf "$work/$tarball" | wc -l)
echo "check-package: $tarball, ${size} KB, ${files} files, ${bundles} Lambda bundles each with its source map"
