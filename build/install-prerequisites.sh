#!/usr/bin/env bash
# Installs what a fresh machine may lack for building and testing. Idempotent; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET SDK (10.0) is required: https://dot.net" >&2
  exit 1
fi
echo "prerequisites: dotnet $(dotnet --version)"

# apt_install PRESENT WHAT WHY PACKAGE...: installs the Debian packages (three attempts, apt-get update between them),
# then checks with the function PRESENT; on failure prints why the packages are needed and the log's tail, and exits 1.
apt_install() {
  local present=$1 what=$2 why=$3 log=/tmp/freeenergy-$4-install.log attempt
  shift 3
  for attempt in 1 2 3; do
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >"$log" 2>&1; then break; fi
    echo "prerequisites: $1 install attempt $attempt failed; retrying" >&2
    sleep $((attempt * 5))
    apt-get update -qq >/dev/null 2>&1 || true
  done
  if "$present"; then
    echo "prerequisites: installed $what"
  else
    echo "error: could not install $* (see $log); $why" >&2
    tail -5 "$log" >&2 || true
    exit 1
  fi
}

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
  apt_install nvrtc_present "NVRTC (libnvrtc11.2 from Debian non-free)" "the CUDA kernel compile tests need it" libnvrtc11.2 libnvrtc-builtins11.8
else
  echo "prerequisites: NVRTC not found and not installable here (needs root on Debian bookworm); the CUDA kernel compile tests will be skipped"
fi

# Dask.distributed for the scale-out tests (tests/scale/run.sh, scale/dask): Debian's python3-distributed (main
# component), for Debian's /usr/bin/python3. Idempotent like the NVRTC step.
dask_present() { /usr/bin/python3 -c 'import distributed, psutil' >/dev/null 2>&1; }
if dask_present; then
  echo "prerequisites: Dask.distributed $(/usr/bin/python3 -c 'import distributed; print(distributed.__version__)')"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt_install dask_present "python3-distributed (Dask.distributed, Debian main)" "tests/scale needs it" python3-distributed
else
  echo "prerequisites: Dask.distributed not found and not installable here (needs root and apt-get: python3-distributed); tests/scale will fail"
fi
