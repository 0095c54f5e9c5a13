#!/usr/bin/env bash
# `make compose-test`: docker-compose.yaml brought up for real on this machine's Docker engine, without
# an image registry (README, "Trying the stack without a registry: make compose-test").
#
#   1. Docker's engine (Debian's docker.io), debootstrap and Compose v2 when missing; dockerd started
#      when none answers (and stopped again at the end, only then);
#   2. the stand-in images from Debian packages (docker/build_images.sh: each step reused when present;
#      --rebuild makes them afresh), then our image from our Dockerfile with
#      --build-arg AIRFLOW_IMAGE=<the stand-in base>;
#   3. scripts/compose_test.py: up with the emulators profile in a throwaway project, healthy, three
#      tenants booked, a backfill, down -v, nothing left behind.
#
# Compose: docker-compose.yaml needs Compose v2.24+ (env_file `required:`, bind `create_host_path`);
# Debian bookworm's docker-compose is 1.29 (v1), which refuses the file. So unless a Compose v2.24+ is
# already there (`docker compose` or `docker-compose`), this takes Debian's own Compose v2 package from
# the next release (trixie, COMPOSE_DEB_VERSION below) with apt-get download, through a private apt
# state under the cache folder (the host's apt sources and packages stay as they are), and runs its
# binary from there.
#
# The dockerd it starts runs with --iptables=false --ip-forward=false: containers reach each other and
# the ports published on 127.0.0.1 (docker-proxy), nothing beyond this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
if [ "$(id -u)" != 0 ]; then
  echo "compose-test needs root (dockerd, debootstrap, chroot): running it with sudo" >&2
  exec sudo --preserve-env=PATH,LSAFAS_COMPOSE_CACHE,PYTHON bash "$0" "$@"
fi
export LSAFAS_COMPOSE_CACHE=${LSAFAS_COMPOSE_CACHE:-$REPO/.cache/compose-test}
CACHE=$LSAFAS_COMPOSE_CACHE
IMAGE=${LSAFAS_COMPOSE_TEST_IMAGE:-lightspeed-afas-airflow:compose-test}
COMPOSE_DEB_VERSION=2.26.1-4
PY=$REPO/.venv/bin/python
BUILD_ARGS=()
for arg in "$@"; do
  case $arg in
    --rebuild) BUILD_ARGS+=(--rebuild) ;;
    *) echo "usage: $0 [--rebuild]   (--rebuild: a fresh debootstrap root, wheelhouse and images)" >&2; exit 2 ;;
  esac
done
mkdir -p "$CACHE/logs"
START=$SECONDS
export LSAFAS_COMPOSE_TEST_T0=${LSAFAS_COMPOSE_TEST_T0:-$(date +%s)}
say() { printf '%s [%5ss] %s\n' "$(date +%H:%M:%S)" "$((SECONDS - START))" "$*"; }
die() { printf 'compose-test: %s\n' "$*" >&2; exit 1; }

# -- tools -------------------------------------------------------------------------------------------------

apt_install() {
  say "apt-get install $*"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >"$CACHE/logs/apt-get.log" 2>&1 ||
    { tail -20 "$CACHE/logs/apt-get.log" >&2; die "apt-get install $* failed"; }
}
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi

compose_v2() {  # command… → true when it is Compose 2.24 or newer
  local version
  version=$("$@" version --short 2>/dev/null) || return 1
  [[ ${version#v} =~ ^([0-9]+)\.([0-9]+) ]] || return 1
  ((BASH_REMATCH[1] > 2 || (BASH_REMATCH[1] == 2 && BASH_REMATCH[2] >= 24)))
}
if compose_v2 docker compose; then
  COMPOSE="docker compose"
elif compose_v2 docker-compose; then
  COMPOSE=docker-compose
else
  dir=$CACHE/docker-compose-$COMPOSE_DEB_VERSION
  COMPOSE=$dir/usr/libexec/docker/cli-plugins/docker-compose
  if [ ! -x "$COMPOSE" ]; then
    say "Compose v2: Debian's docker-compose $COMPOSE_DEB_VERSION (trixie) with apt-get download"
    site=$(apt-get indextargets --format '$(SITE) $(RELEASE) $(COMPONENT)' 'Created-By: Packages' |
      awk '$2 == "bookworm" && $3 == "main" {print $1; exit}')
    [ -n "$site" ] || die "this host's apt has no Debian bookworm main source to take trixie's docker-compose from"
    apt=$CACHE/apt-trixie
    mkdir -p "$apt/lists/partial" "$apt/archives/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $site trixie main" >"$apt/sources.list"
    opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt" -o Dir::State::status=/dev/null
      -o APT::Sandbox::User=root)
    {
      apt-get "${opts[@]}" update &&
        (cd "$apt" && apt-get "${opts[@]}" download "docker-compose=$COMPOSE_DEB_VERSION")
    } >"$CACHE/logs/compose-download.log" 2>&1 ||
      { tail -20 "$CACHE/logs/compose-download.log" >&2; die "apt-get download docker-compose=$COMPOSE_DEB_VERSION failed"; }
    rm -rf "$dir" && dpkg-deb -x "$apt"/docker-compose_*.deb "$dir"
    rm -rf "$apt"
  fi
  compose_v2 "$COMPOSE" || die "$COMPOSE is not Compose 2.24+"
fi
say "Compose: $COMPOSE ($($COMPOSE version --short))"

# -- the engine --------------------------------------------------------------------------------------------

STARTED_DOCKERD=
HAD_DOCKER0=
stop_dockerd() {
  if [ -n "$STARTED_DOCKERD" ]; then
    say "stopping the dockerd this script started (pid $STARTED_DOCKERD)"
    kill "$STARTED_DOCKERD" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$STARTED_DOCKERD" 2>/dev/null || break; sleep 0.5; done
    if [ -z "$HAD_DOCKER0" ]; then ip link delete docker0 2>/dev/null || true; fi
  fi
}
trap stop_dockerd EXIT
if ! docker info >/dev/null 2>&1; then
  ip link show docker0 >/dev/null 2>&1 && HAD_DOCKER0=1
  say "starting dockerd (--iptables=false --ip-forward=false; stopped again at the end)"
  setsid dockerd --iptables=false --ip-forward=false --ip6tables=false \
    >"$CACHE/logs/dockerd.log" 2>&1 </dev/null &
  STARTED_DOCKERD=$!
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { tail -20 "$CACHE/logs/dockerd.log" >&2; die "dockerd did not start"; }
fi
say "Docker engine $(docker version --format '{{.Server.Version}}')"

# -- images ------------------------------------------------------------------------------------------------

began=$SECONDS
say "stand-in images (docker/build_images.sh ${BUILD_ARGS[*]:-})"
images=$(bash docker/build_images.sh "${BUILD_ARGS[@]}")
AIRFLOW_BASE=$(sed -n 's/^AIRFLOW_BASE=//p' <<<"$images")
say "stand-in images ready in $((SECONDS - began)) s: $(tr '\n' ' ' <<<"$images")"

began=$SECONDS
say "docker build -t $IMAGE --build-arg AIRFLOW_IMAGE=$AIRFLOW_BASE ."
flags=()
if [ ${#BUILD_ARGS[@]} -gt 0 ]; then flags+=(--no-cache); fi
docker build --force-rm "${flags[@]}" --build-arg AIRFLOW_IMAGE="$AIRFLOW_BASE" -t "$IMAGE" . >"$CACHE/logs/build-image.log" 2>&1 ||
  { tail -40 "$CACHE/logs/build-image.log" >&2; die "docker build failed (log: $CACHE/logs/build-image.log)"; }
docker image prune --force --filter label=org.lightspeed-afas.standin-root >/dev/null  # its previous build
docker run --rm --entrypoint python "$IMAGE" -c \
  "import sys, airflow, lightspeed_afas; print('    the image: lightspeed_afas on Airflow', airflow.__version__, 'on Python', sys.version.split()[0])" \
  2> >(grep -v 'IPv4 forwarding is disabled' >&2)  # what the dockerd started here means to do
say "our image ready in $((SECONDS - began)) s ($(docker image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}'))"

# -- the stack ---------------------------------------------------------------------------------------------

[ -x "$PY" ] || die "$PY is missing: make install (make compose-test does it first)"
status=0
"$PY" scripts/compose_test.py --compose "$COMPOSE" --image "$IMAGE" || status=$?
say "make compose-test $([ "$status" = 0 ] && echo passed || echo FAILED) in $((SECONDS - START)) s"
exit "$status"
