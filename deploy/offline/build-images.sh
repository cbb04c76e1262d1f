#!/usr/bin/env bash
# Builds the images of the compose lab without a registry, for machines that
# can't pull golang, distroless, caddy or redis. Every image starts FROM
# scratch:
#   authlab/app:local      the three apps and the healthcheck, built here
#                          with CGO_ENABLED=0 (the tag docker-compose.yml uses)
#   authlab/caddy:offline  Caddy from the version go.mod requires, with the
#                          modules of the embedded lab (deploy/offline/caddy)
#   authlab/redis:offline  this machine's redis-server and redis-cli with the
#                          shared libraries they load
# Then start the stack with the override file beside this script:
#   export COMPOSE_FILE=docker-compose.yml:deploy/offline/compose.yml
#   docker compose up -d --no-build
set -euo pipefail
cd "$(dirname "$0")/../.."

for cmd in docker go redis-server redis-cli ldd; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    echo "build-images.sh: $cmd not found in PATH; install it (redis-server and redis-cli come with Debian's redis-server package)" >&2
    exit 1
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== authlab/app:local"
mkdir -p "$work/app/bin" "$work/app/keys"
CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$work/app/bin/" \
  ./sessions ./jwtapp ./hybrid ./deploy/healthcheck
cat >"$work/app/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY bin/ /usr/local/bin/
# As in the Dockerfile at the root: a new keys volume copies this folder's
# owner, so keygen, running as 65532, can write the key.
COPY --chown=65532:65532 keys /keys
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=2s --timeout=3s --start-period=5s --retries=3 CMD ["/usr/local/bin/healthcheck"]
DOCKERFILE
docker build -q -t authlab/app:local "$work/app"

echo "== authlab/caddy:offline"
mkdir -p "$work/caddy/config" "$work/caddy/data"
CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$work/caddy/caddy" ./deploy/offline/caddy
cat >"$work/caddy/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY caddy /usr/bin/caddy
COPY config /config
COPY data /data
ENV XDG_CONFIG_HOME=/config XDG_DATA_HOME=/data
CMD ["/usr/bin/caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
DOCKERFILE
docker build -q -t authlab/caddy:offline "$work/caddy"

echo "== authlab/redis:offline (redis-server $(redis-server --version | sed -n "s/.*v=\([^ ]*\).*/\1/p"))"
root="$work/redis/root"
mkdir -p "$root/usr/bin" "$root/data"
for bin in redis-server redis-cli; do
  path=$(command -v "$bin")
  cp "$path" "$root/usr/bin/"
  # Copy every shared library the binary loads, the loader included, under
  # its own path.
  for lib in $(ldd "$path" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
done
cat >"$work/redis/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY root/ /
ENV PATH=/usr/bin
WORKDIR /data
CMD ["redis-server", "--save", "", "--appendonly", "no", "--protected-mode", "no"]
DOCKERFILE
docker build -q -t authlab/redis:offline "$work/redis"

docker images --filter=reference='authlab/*'
