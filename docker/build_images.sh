#!/usr/bin/env bash
# Builds the local stand-ins for the images `make compose-test` cannot pull (no registry here), from
# Debian bookworm packages only:
#
#   lightspeed-afas-standin/bookworm:<hash>         debootstrap'd root + docker/debian-packages.txt, imported
#   lightspeed-afas-standin/airflow:<airflow>-python3.11
#                                                   what our Dockerfile assumes of apache/airflow: user airflow
#                                                   (uid 50000, group 0), AIRFLOW_HOME=/opt/airflow, /entrypoint
#                                                   under /usr/bin/dumb-init, curl, a python3.11 venv on PATH
#                                                   with pip, and a wheelhouse of requirements.txt (pip runs
#                                                   offline: PIP_NO_INDEX, PIP_FIND_LINKS=/opt/wheels)
#   lightspeed-afas-standin/postgres:15             Debian's postgresql-15 behind postgres:16's interface
#                                                   (POSTGRES_USER/PASSWORD/DB, PGDATA, pg_isready)
#   lightspeed-afas-standin/redis:7.0               Debian's redis-server (redis-cli ping)
#
# Each step is reused when present: the root (keyed by the hash of docker/debian-packages.txt, kept in
# $CACHE/rootfs and as the imported image), the wheelhouse (keyed by the hash of requirements.txt and
# docker/airflow-base/wheelhouse-extra.txt) and Docker's layer cache for the three images.
# --rebuild starts from a fresh debootstrap, a fresh wheelhouse and builds without the layer cache.
#
# Needs root (debootstrap, chroot), a running Docker engine, debootstrap, and python3.11 with pip on the
# host. The Debian mirror is the one this host's apt uses; pip downloads with this host's pip settings.
# Prints the four image names as NAME=value lines on its last lines (scripts/compose_test.sh reads them).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
CACHE=${LSAFAS_COMPOSE_CACHE:-$REPO/.cache/compose-test}
PYTHON=${PYTHON:-python3.11}
REBUILD=0
for arg in "$@"; do
  case $arg in
    --rebuild) REBUILD=1 ;;
    *) echo "usage: $0 [--rebuild]" >&2; exit 2 ;;
  esac
done

log() { printf '%s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'build_images.sh: %s\n' "$*" >&2; exit 1; }
sha() { cat "$@" | sha256sum | cut -c1-12; }
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }
mkdir -p "$CACHE/logs"

PACKAGES_FILE=docker/debian-packages.txt
mapfile -t PACKAGES < <(grep -vE '^\s*(#|$)' "$PACKAGES_FILE")
# Bump ROOT_RECIPE when build_root below changes what it makes (the hash is the image's tag).
ROOT_RECIPE=1
ROOT_HASH=$( (echo "recipe $ROOT_RECIPE"; cat "$PACKAGES_FILE") | sha256sum | cut -c1-12)
ROOT_IMAGE=lightspeed-afas-standin/bookworm:$ROOT_HASH
AIRFLOW_VERSION=$(sed -n 's/^apache-airflow==\([^ ]*\).*/\1/p' requirements.txt)
[ -n "$AIRFLOW_VERSION" ] || die "requirements.txt pins no apache-airflow"
AIRFLOW_BASE=lightspeed-afas-standin/airflow:$AIRFLOW_VERSION-python3.11
POSTGRES_IMAGE=lightspeed-afas-standin/postgres:15
REDIS_IMAGE=lightspeed-afas-standin/redis:7.0
# Every image built on the root carries it (our compose-test image too): what the clean-up below may prune.
STANDIN_LABEL=org.lightspeed-afas.standin-root

# -- the Debian root ---------------------------------------------------------------------------------------

# The host's own apt sources for bookworm (main, -updates, -security): no mirror is named in this file.
apt_site() {  # release → the URI this host's apt fetches it from
  apt-get indextargets --format '$(SITE) $(RELEASE) $(COMPONENT)' 'Created-By: Packages' 2>/dev/null |
    awk -v r="$1" '$2 == r && $3 == "main" {print $1; exit}'
}

build_root() {
  local root=$CACHE/rootfs site security
  site=$(apt_site bookworm)
  security=$(apt_site bookworm-security)
  [ -n "$site" ] || die "this host's apt has no bookworm main source (needed for debootstrap)"
  if [ "$REBUILD" = 1 ] || [ "$(cat "$root.stamp" 2>/dev/null)" != "$ROOT_HASH" ]; then
    log "debootstrap bookworm (minbase) into $root"
    if mountpoint -q "$root/proc" 2>/dev/null; then umount "$root/proc"; fi  # an interrupted build's
    rm -rf "$root" "$root.stamp"
    debootstrap --variant=minbase --components=main bookworm "$root" "$site" >"$CACHE/logs/debootstrap.log" 2>&1 ||
      { tail -30 "$CACHE/logs/debootstrap.log" >&2; die "debootstrap failed (log: $CACHE/logs/debootstrap.log)"; }
    {
      echo "deb $site bookworm main"
      echo "deb $site bookworm-updates main"
      if [ -n "$security" ]; then echo "deb $security bookworm-security main"; fi
    } >"$root/etc/apt/sources.list"
    # No services start inside the chroot; postgresql-common makes no cluster (the image's entrypoint does).
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" && chmod +x "$root/usr/sbin/policy-rc.d"
    mkdir -p "$root/etc/postgresql-common"
    echo "create_main_cluster = false" >"$root/etc/postgresql-common/createcluster.conf"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    mount -t proc proc "$root/proc"
    trap 'umount "$root/proc" 2>/dev/null || true' EXIT
    local status=0
    {
      chroot "$root" apt-get update &&
        DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y --no-install-recommends "${PACKAGES[@]}"
    } >"$CACHE/logs/apt-install.log" 2>&1 || status=$?
    umount "$root/proc"
    trap - EXIT
    if [ "$status" != 0 ]; then
      tail -30 "$CACHE/logs/apt-install.log" >&2
      die "installing ${PACKAGES_FILE}'s packages failed (a version no longer served? see apt's message above)"
    fi
    mkdir -p "$root/usr/share/lightspeed-afas"
    chroot "$root" dpkg-query -W -f '${Package}=${Version}\n' >"$root/usr/share/lightspeed-afas/dpkg-manifest.txt"
    chroot "$root" apt-get clean
    # What no container reads: apt's lists, docs, man pages, translations.
    rm -rf "$root"/var/lib/apt/lists/* "$root/usr/sbin/policy-rc.d" "$root"/var/log/*.log \
      "$root"/var/cache/debconf/*-old "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
      "$root"/usr/share/locale/*
    : >"$root/etc/resolv.conf"
    echo "$ROOT_HASH" >"$root.stamp"
  else
    log "reusing the root in $root"
  fi
  log "docker import $ROOT_IMAGE"
  tar -C "$root" --numeric-owner -cf - . |
    docker import --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' \
      --change "LABEL $STANDIN_LABEL=$ROOT_HASH" - "$ROOT_IMAGE" >/dev/null
}

if [ "$REBUILD" = 1 ] || ! image_exists "$ROOT_IMAGE"; then
  build_root
else
  log "reusing $ROOT_IMAGE"
fi

# -- the wheelhouse: requirements.txt (as the Dockerfile installs it) + the package's build backend --------

WHEELHOUSE=$CACHE/wheelhouse
WHEEL_HASH=$(sha requirements.txt docker/airflow-base/wheelhouse-extra.txt)
if [ "$REBUILD" = 1 ] || [ "$(cat "$WHEELHOUSE.stamp" 2>/dev/null)" != "$WHEEL_HASH" ]; then
  log "pip download the pinned wheels into $WHEELHOUSE"
  rm -rf "$WHEELHOUSE" "$WHEELHOUSE.stamp"
  mkdir -p "$WHEELHOUSE"
  grep -v '^-e ' requirements.txt >"$CACHE/requirements-image.txt"
  "$PYTHON" -m pip download --disable-pip-version-check --only-binary=:all: -d "$WHEELHOUSE" \
    -r "$CACHE/requirements-image.txt" -r docker/airflow-base/wheelhouse-extra.txt \
    >"$CACHE/logs/pip-download.log" 2>&1 ||
    { tail -30 "$CACHE/logs/pip-download.log" >&2; die "pip download failed (log: $CACHE/logs/pip-download.log)"; }
  echo "$WHEEL_HASH" >"$WHEELHOUSE.stamp"
else
  log "reusing the wheelhouse ($(find "$WHEELHOUSE" -name '*.whl' | wc -l) wheels)"
fi

# -- the three images (Docker's layer cache makes a rebuild of unchanged inputs take seconds) -------------

build() {  # name, image, dockerfile, context
  local name=$1 image=$2 dockerfile=$3 context=$4
  log "docker build $image"
  local flags=()
  if [ "$REBUILD" = 1 ]; then flags+=(--no-cache); fi
  docker build --force-rm "${flags[@]}" --build-arg ROOT_IMAGE="$ROOT_IMAGE" -f "$dockerfile" -t "$image" "$context" \
    >"$CACHE/logs/build-$name.log" 2>&1 ||
    { tail -40 "$CACHE/logs/build-$name.log" >&2; die "docker build $image failed (log: $CACHE/logs/build-$name.log)"; }
}

# The Airflow base's context: its Dockerfile, the entrypoint and the wheelhouse (hard links, no copies).
CONTEXT=$CACHE/context-airflow-base
rm -rf "$CONTEXT" && mkdir -p "$CONTEXT"
cp docker/airflow-base/Dockerfile docker/airflow-base/entrypoint "$CONTEXT/"
cp -al "$WHEELHOUSE" "$CONTEXT/wheelhouse"
build airflow-base "$AIRFLOW_BASE" "$CONTEXT/Dockerfile" "$CONTEXT"
rm -rf "$CONTEXT"
build postgres "$POSTGRES_IMAGE" docker/postgres/Dockerfile docker/postgres
build redis "$REDIS_IMAGE" docker/redis/Dockerfile docker/redis

# Old versions of these images (untagged by a rebuild) go; images of anything else are left alone.
docker image prune --force --filter "label=$STANDIN_LABEL" >/dev/null

echo "ROOT_IMAGE=$ROOT_IMAGE"
echo "AIRFLOW_BASE=$AIRFLOW_BASE"
echo "POSTGRES_IMAGE=$POSTGRES_IMAGE"
echo "REDIS_IMAGE=$REDIS_IMAGE"
