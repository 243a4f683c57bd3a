# Sourced by the suite scripts (scripts/test-*): a suite as named steps, and the installs that
# several suites share, each done only when missing.

# A suite defines one function per step, `step_NAME` (a `-` in NAME is `_` in the function), and
# STEPS=(NAME ...) in their order, then ends with `run_steps "$@"`. No argument runs every step;
# names run those steps, in the order given (`scripts/test-server sqlite`); -h lists them.
run_steps() {
  local s
  if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    steps_usage
    exit 0
  fi
  (($#)) || set -- "${STEPS[@]}"
  for s in "$@"; do
    if [[ " ${STEPS[*]} " != *" $s "* ]]; then
      echo "$(basename "$0"): no step '$s'" >&2
      steps_usage >&2
      exit 2
    fi
  done
  local times=() start
  for s in "$@"; do
    start=$SECONDS
    "step_${s//-/_}"
    times+=("$(printf '%4ds  %s' $((SECONDS - start)) "$s")")
  done
  # Each step's time, so that a slow suite says where (./scripts/test prints each suite's).
  printf '%s\n' "${times[@]/#/$(basename "$0") step }"
}

steps_usage() {
  echo "usage: scripts/$(basename "$0") [STEP...]   (no STEP: all of them, in this order)"
  echo "steps: ${STEPS[*]}"
}

# `temp_dir VAR NAME`: a new directory /tmp/NAME.XXXXXX in VAR, removed when the script exits,
# after a failure too. One EXIT trap removes every such directory: a trap set by each step would
# replace the one set before it (`scripts/test-wasm node pkg` left the node step's behind).
TEMP_DIRS=()
temp_dir() {
  local -n out=$1
  out=$(mktemp -d "/tmp/$2.XXXXXX")
  TEMP_DIRS+=("$out")
  trap 'rm -rf "${TEMP_DIRS[@]}"' EXIT
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# `npm ci` in DIR when its package-lock.json changed since the last install (npm rewrites
# node_modules/.package-lock.json on each one), so a warm run does not reinstall.
npm_ci_if_changed() {
  local dir=$1
  if [[ ! -f $dir/node_modules/.package-lock.json || $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
    echo "--> npm ci ($dir/)"
    (cd "$dir" && timeout 600 npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Debian's `chromium`, for the browser tests (driven by playwright-core: no browser download).
ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

# Debian's `fonts-noto-cjk`, so the browser tests' screenshots show Chinese rather than boxes.
ensure_cjk_font() {
  if ! dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "install ok installed"; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-noto-cjk >/dev/null
  fi
}
