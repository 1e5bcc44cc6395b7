#!/usr/bin/env bash
# Release recipe for any CI system: build the service exe and its MSI from svcpack.config.json,
# sign both, check the signatures, and publish the exe, the MSI, the SBOM, the build record (and
# the winget manifest) with a SHA256SUMS file.
#
# Run from the project folder (where svcpack.config.json or package.json "svcpack" lives).
# Inputs (environment):
#   SIGN_PFX_BASE64   the code-signing certificate (.pfx), base64-encoded (a CI secret), or
#   SIGN_PFX          the path of the .pfx file
#   SIGN_PFX_PASSWORD its password (a CI secret; svcpack reads it from this variable, it never
#                     appears on a command line)
#   TIMESTAMP_URL     RFC 3161 timestamp server (default http://timestamp.digicert.com);
#                     set TIMESTAMP_URL=none to sign without a timestamp
#   OUT_DIR           where svcpack writes the outputs (default dist)
#   RELEASE_DIR       where the release files and SHA256SUMS are copied (default release)
#   MSI               1 (default): also build the MSI (needs wixl, msitools, faketime); 0: exe only
#   SBOM              1 (default): also write the CycloneDX SBOM (needs the default packer); 0: none
#   WINGET_URL        optional: where the MSI will be downloaded from ({version} and {file} are
#                     replaced); then the winget manifest is built and released too
#   UPLOAD_COMMAND    optional: run with the release folder as $1 (e.g. 'aws s3 cp --recursive "$1" s3://bucket/v1/')
# Requires: node, npm (the project's svcpack devDependency installed), osslsigncode on Linux/macOS,
# and for the MSI wixl, msitools and faketime (apt-get install wixl msitools faketime).
set -euo pipefail

OUT_DIR="${OUT_DIR:-dist}"
RELEASE_DIR="${RELEASE_DIR:-release}"
TIMESTAMP_URL="${TIMESTAMP_URL:-http://timestamp.digicert.com}"
MSI="${MSI:-1}"
SBOM="${SBOM:-1}"

# The certificate goes to a private temporary folder that is removed on exit.
secrets="$(mktemp -d)"
chmod 700 "$secrets"
trap 'rm -rf "$secrets"' EXIT
if [[ -n "${SIGN_PFX_BASE64:-}" ]]; then
  printf '%s' "$SIGN_PFX_BASE64" | base64 -d > "$secrets/sign.pfx"
  SIGN_PFX="$secrets/sign.pfx"
fi
: "${SIGN_PFX:?set SIGN_PFX (a .pfx path) or SIGN_PFX_BASE64}"
: "${SIGN_PFX_PASSWORD:?set SIGN_PFX_PASSWORD}"

# Reproducible: the exe's one date is the last commit's, when this is a git checkout.
if [[ -z "${SOURCE_DATE_EPOCH:-}" ]] && git rev-parse --git-dir > /dev/null 2>&1; then
  SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)"
  export SOURCE_DATE_EPOCH
fi

timestamp=(--timestamp-url "$TIMESTAMP_URL")
[[ "$TIMESTAMP_URL" == none ]] && timestamp=()

installer=()
[[ "$SBOM" == 1 ]] && installer=(--sbom "$OUT_DIR/sbom.cdx.json")
[[ "$MSI" == 1 ]] && installer+=(--msi)
[[ "$MSI" == 1 && -n "${WINGET_URL:-}" ]] && installer+=(--winget --winget-url "$WINGET_URL")

# Build and sign in one step (the exe, then the MSI around it); --json prints the build record.
npx --no-install svcpack build --out-dir "$OUT_DIR" --pfx "$SIGN_PFX" --password-env SIGN_PFX_PASSWORD "${timestamp[@]}" \
  "${installer[@]}" --json > "$secrets/record.json"
field() { node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]]))' "$secrets/record.json" "$1"; }
name="$(field name)"
version="$(field version)"
exe="$OUT_DIR/$name.exe"
msi="$OUT_DIR/$name-$version-x64.msi"

# Independent check of what was built: inspect reads the exe itself.
npx --no-install svcpack inspect "$exe" --json > "$secrets/inspect.json"
node -e '
  const i = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (i.signature.status !== "valid") { console.error(`signature ${i.signature.status}: ${i.signature.problem ?? ""}`); process.exit(1); }
  console.log(`${i.svcpack.name} ${i.svcpack.version}: signed by ${i.signature.signer.subject}, sha256 ${i.sha256}`);
' "$secrets/inspect.json"

if [[ "$MSI" == 1 ]]; then
  npx --no-install svcpack inspect "$msi" --json > "$secrets/inspect-msi.json"
  node -e '
    const i = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    if (!i.signed) { console.error(`${i.file} is not signed`); process.exit(1); }
    if (i.exe.signature.status !== "valid") { console.error(`the exe inside ${i.file}: signature ${i.exe.signature.status}`); process.exit(1); }
    console.log(`${i.product.name} ${i.product.version} MSI: signed, UpgradeCode ${i.product.upgradeCode}, service ${i.service.name}`);
  ' "$secrets/inspect-msi.json"
fi

rm -rf "$RELEASE_DIR"
mkdir -p "$RELEASE_DIR"
cp "$exe" "$OUT_DIR/$name.build.json" "$RELEASE_DIR/"
[[ "$SBOM" == 1 ]] && cp "$OUT_DIR/sbom.cdx.json" "$RELEASE_DIR/$name.cdx.json"
[[ "$MSI" == 1 ]] && cp "$msi" "$RELEASE_DIR/"
[[ -d "$OUT_DIR/winget" ]] && cp "$OUT_DIR"/winget/*.yaml "$RELEASE_DIR/"
sums=(sha256sum)
command -v sha256sum > /dev/null || sums=(shasum -a 256) # macOS
(cd "$RELEASE_DIR" && files=(*) && "${sums[@]}" "${files[@]}" > SHA256SUMS)

if [[ -n "${UPLOAD_COMMAND:-}" ]]; then
  bash -c "$UPLOAD_COMMAND" upload "$RELEASE_DIR"
fi
echo "release: $(cd "$RELEASE_DIR" && echo *)"
