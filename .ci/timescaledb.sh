#!/usr/bin/env bash
# A TimescaleDB server for the test suite (issue 22): builds TimescaleDB 2.28.3 from the vendored
# source release against Debian's PostgreSQL 15, once, into a cache OUTSIDE the clone, as a
# private copy of the PostgreSQL 15 tree with TimescaleDB on top (installing it into the system's
# /usr/lib/postgresql would offer timescaledb to every cluster on the machine). The test harness
# (test/helpers/timescale.ts) starts its private clusters from that copy and sets
# TIMESCALE_TEST_URL; later runs reuse the build.
#
#   GUARDIAN_CI_TIMESCALEDB  required (default): no build and no source tarball is an error
#                            skip: say so loudly and leave the TimescaleDB tests skipped
#   GUARDIAN_CI_CACHE        cache root (default /var/cache/guardian-ci)
#   TIMESCALEDB_TARBALL      the source tarball, when it is not in a vendor folder below
set -euo pipefail

VERSION=2.28.3
SHA256=ec2f7de0ba53a473c01e0a57e09053898c6b1f7487228caff0f1d31c8cb2dedb
PG_MAJOR=15
PG_LIB=/usr/lib/postgresql/$PG_MAJOR
PG_SHARE=/usr/share/postgresql/$PG_MAJOR

say() { echo "ci/timescaledb: $*"; }
die() { echo "ci/timescaledb: ERROR: $*" >&2; exit 1; }

mode="${GUARDIAN_CI_TIMESCALEDB:-required}"
case "$mode" in
  required) ;;
  skip) say "GUARDIAN_CI_TIMESCALEDB=skip: NOT providing TimescaleDB; its integration tests will be skipped"; exit 0 ;;
  *) die "GUARDIAN_CI_TIMESCALEDB must be required or skip, got '$mode'" ;;
esac

repo="$(cd "$(dirname "$0")/.." && pwd)"
cache_root="${GUARDIAN_CI_CACHE:-/var/cache/guardian-ci}"
dest="$cache_root/timescaledb-$VERSION"

# What the build was made against: a PostgreSQL minor upgrade rebuilds (the private tree is a copy).
pg_version() { "$PG_LIB/bin/pg_config" --version 2>/dev/null || echo none; }
build_info() { echo "timescaledb $VERSION for $(pg_version)"; }
is_built() {
  [ -f "$dest/BUILD_INFO" ] && [ "$(cat "$dest/BUILD_INFO")" = "$(build_info)" ] \
    && [ -x "$dest/pg$PG_LIB/bin/postgres" ] && [ -f "$dest/pg$PG_LIB/lib/timescaledb-$VERSION.so" ]
}

# Build dependencies from Debian, only those missing.
need=()
[ -x "$PG_LIB/bin/postgres" ] || need+=("postgresql-$PG_MAJOR")
[ -f "/usr/include/postgresql/$PG_MAJOR/server/postgres.h" ] || need+=("postgresql-server-dev-$PG_MAJOR")
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
command -v make >/dev/null 2>&1 || need+=(make)
[ -f /usr/include/openssl/ssl.h ] || need+=(libssl-dev)
command -v runuser >/dev/null 2>&1 || need+=(util-linux)
if [ "${#need[@]}" -gt 0 ] && ! is_built; then
  [ "$(id -u)" = 0 ] || die "missing ${need[*]} and not root to install them"
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
# The clusters of the tests run as this user when the suite runs as root (PostgreSQL refuses root).
if [ "$(id -u)" = 0 ] && ! id -u postgres >/dev/null 2>&1; then
  die "no 'postgres' user to run the test clusters as (the postgresql-$PG_MAJOR package creates it)"
fi

mkdir -p "$cache_root"
chmod 755 "$cache_root"
# One build at a time, even with two CI runs on the machine.
exec 9>"$cache_root/.timescaledb-$VERSION.lock"
flock 9

if is_built; then
  say "reusing $dest ($(cat "$dest/BUILD_INFO"))"
  exit 0
fi

candidates=("$(dirname "$repo")/shared/vendor/timescaledb-$VERSION.tar.gz"
  "$(dirname "$(dirname "$repo")")/shared/vendor/timescaledb-$VERSION.tar.gz"
  "/work/shared/vendor/timescaledb-$VERSION.tar.gz")
[ -z "${TIMESCALEDB_TARBALL:-}" ] || candidates=("$TIMESCALEDB_TARBALL" "${candidates[@]}")
tarball=""
for candidate in "${candidates[@]}"; do
  if [ -f "$candidate" ]; then tarball="$candidate"; break; fi
done
[ -n "$tarball" ] || die "the TimescaleDB $VERSION source is not in any of: ${candidates[*]} (set TIMESCALEDB_TARBALL, or GUARDIAN_CI_TIMESCALEDB=skip to run without the TimescaleDB tests)"
echo "$SHA256  $tarball" | sha256sum --check --status || die "$tarball does not have the expected sha256 $SHA256"

work="$(mktemp -d "$cache_root/.build-XXXXXX")"
trap 'rm -rf "$work"' EXIT
say "building TimescaleDB $VERSION for $(pg_version) from $tarball (a few minutes, once)"
started=$SECONDS
tar -xzf "$tarball" -C "$work"
(
  cd "$work/timescaledb-$VERSION"
  # TSL on (compression, retention and continuous aggregates need it); no telemetry.
  ./bootstrap -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF \
    -DWARNINGS_AS_ERRORS=OFF -DAPACHE_ONLY=OFF -DSEND_TELEMETRY_DEFAULT=OFF \
    -DPG_CONFIG="$PG_LIB/bin/pg_config" >"$work/bootstrap.log" 2>&1 \
    || { tail -n 30 "$work/bootstrap.log" >&2; exit 1; }
  make -C build -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -n 30 "$work/make.log" >&2; exit 1; }
) || die "the build failed (log above)"

# The private tree: a copy of PostgreSQL 15 (binaries are copied, not linked: postgres finds its
# share and lib folders relative to its own resolved path), with TimescaleDB installed on top.
stage="$work/stage"
mkdir -p "$stage/pg$PG_LIB" "$stage/pg$PG_SHARE"
cp -a "$PG_LIB/." "$stage/pg$PG_LIB/"
cp -a "$PG_SHARE/." "$stage/pg$PG_SHARE/"
make -C "$work/timescaledb-$VERSION/build" install DESTDIR="$stage/pg" >"$work/install.log" 2>&1 \
  || { tail -n 30 "$work/install.log" >&2; die "make install failed"; }
[ -f "$stage/pg$PG_LIB/lib/timescaledb-$VERSION.so" ] && [ -f "$stage/pg$PG_SHARE/extension/timescaledb.control" ] \
  || die "the staged tree lacks timescaledb-$VERSION.so or timescaledb.control"
build_info >"$stage/BUILD_INFO"
chmod -R a+rX "$stage"
rm -rf "$dest"
mv "$stage" "$dest"
say "built $dest in $((SECONDS - started)) s"
