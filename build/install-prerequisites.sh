#!/usr/bin/env bash
# Installs what a fresh machine may lack for building and testing. Idempotent; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET SDK (10.0) is required: https://dot.net" >&2
  exit 1
fi
echo "prerequisites: dotnet $(dotnet --version)"

# NVRTC (the CUDA run-time compiler) so the CUDA kernel sources are compiled to PTX by the tests; no GPU is
# needed for that. On Debian 12 it is libnvrtc11.2 (NVRTC 11.8, which targets up to compute_90) plus its
# dependency libnvrtc-builtins11.8, both in the non-free component: about 16 MB, not the whole toolkit.
nvrtc_present() { ldconfig -p 2>/dev/null | grep -qE 'libnvrtc\.so\.(13|12|11\.2)( |$)'; }
if nvrtc_present; then
  echo "prerequisites: NVRTC $(ldconfig -p | grep -oE 'libnvrtc\.so\.[0-9.]+' | head -1)"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && grep -qs '^VERSION_CODENAME=bookworm' /etc/os-release; then
  # Enable non-free in the Debian sources (deb822 debian.sources, or a classic sources.list line).
  changed=0
  if [ -f /etc/apt/sources.list.d/debian.sources ] && ! grep -qE '^Components:.*\bnon-free\b' /etc/apt/sources.list.d/debian.sources; then
    sed -i -E 's/^(Components:.*\bmain\b.*)$/\1 non-free/' /etc/apt/sources.list.d/debian.sources
    changed=1
  fi
  if [ -f /etc/apt/sources.list ] && grep -qE '^deb .*bookworm.* main' /etc/apt/sources.list && ! grep -qE '^deb .*bookworm.* main.*\bnon-free\b' /etc/apt/sources.list; then
    sed -i -E '/^deb .*bookworm.* main/{/\bnon-free\b/!s/$/ non-free/}' /etc/apt/sources.list
    changed=1
  fi
  if ! apt-cache show libnvrtc11.2 >/dev/null 2>&1 || [ "$changed" = 1 ]; then
    apt-get update -qq >/dev/null 2>&1 || apt-get update -qq
  fi
  for attempt in 1 2 3; do
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libnvrtc11.2 libnvrtc-builtins11.8 >/tmp/freeenergy-nvrtc-install.log 2>&1; then break; fi
    echo "prerequisites: NVRTC install attempt $attempt failed; retrying" >&2
    sleep $((attempt * 5))
    apt-get update -qq >/dev/null 2>&1 || true
  done
  if nvrtc_present; then
    echo "prerequisites: installed NVRTC (libnvrtc11.2 from Debian non-free)"
  else
    echo "error: could not install libnvrtc11.2 (see /tmp/freeenergy-nvrtc-install.log); the CUDA kernel compile tests need it" >&2
    tail -5 /tmp/freeenergy-nvrtc-install.log >&2 || true
    exit 1
  fi
else
  echo "prerequisites: NVRTC not found and not installable here (needs root on Debian bookworm); the CUDA kernel compile tests will be skipped"
fi
