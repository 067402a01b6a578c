#!/usr/bin/env bash
# Build Kohtaamo's container image and start it production-like beside PostgreSQL, on a Debian bookworm
# host where Docker Hub and download.pytorch.org are out of reach (docs/operations.md, "What was built
# and started here"). Not part of the test suite or CI: it needs root, a Docker daemon, the project's
# .venv (PyYAML and httpx for the checks) and about ten minutes.
#
#   sudo scripts/image_rehearsal.sh            # REBUILD_BASE=1 remakes the base image, NO_CACHE=1 the app's,
#                                              # KEEP_CACHE=1 keeps the build cache (pruned at the end)
#   sudo scripts/image_rehearsal.sh --images-only
#
# 1. Installs docker.io, docker-compose and debootstrap if missing; starts dockerd if none answers.
# 2. Base image: Debian bookworm (minbase) by debootstrap from deb.debian.org with python3, python3-venv,
#    python-is-python3, ca-certificates and passwd, imported as $BASE_TAG: the stand-in for
#    python:3.11-slim-bookworm. The host's own extra CA certificates go in too (this machine's egress
#    proxy intercepts TLS).
# 3. PostgreSQL image: Debian's postgresql-15 on that base (scripts/rehearsal/postgres.Dockerfile), the
#    stand-in for postgres:18-bookworm.
# 4. The application image from the repository's Dockerfile, with PYTHON_IMAGE=$BASE_TAG and torch's CPU
#    wheel from $WHEELS served on the loopback (TORCH_PIP_ARGS); everything else comes from PyPI.
# 5. compose.yaml started by docker-compose on an internal network (no route out), then the checks, each
#    a PASS or FAIL line; the figures go to bench/results/image_rehearsal.md. Then everything is stopped
#    and removed but the images.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${REHEARSAL_DIR:-/var/tmp/kohtaamo-rehearsal}
BASE_TAG=${BASE_TAG:-kohtaamo-local/python:3.11-bookworm}
PG_TAG=${PG_TAG:-kohtaamo-local/postgres:15-bookworm}
APP_TAG=${APP_TAG:-kohtaamo:rehearsal}
WHEELS=${WHEELS:-/opt/wheels}
WHEEL_PORT=${WHEEL_PORT:-8765}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
PROJECT=kohtaamo-rehearsal
NETWORK=$PROJECT-internal
RESULT=${RESULT:-$ROOT/bench/results/image_rehearsal.md}
DB_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
METRICS_TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
export DB_PASSWORD KOHTAAMO_METRICS_TOKEN=$METRICS_TOKEN

failures=0
declare -a REPORT=()
say() { printf '%s\n' "$*" >&2; }
pass() { say "PASS $*"; REPORT+=("- PASS $*"); }
fail() { say "FAIL $*"; REPORT+=("- FAIL $*"); failures=$((failures + 1)); }
check() { # check "what" command...: PASS if the command succeeds
    local what=$1
    shift
    if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi
}
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }
# Seconds from $1 until $URL/readyz answers 200 (polled every half second, 5 minutes at most), or "-".
seconds_until_ready() {
    for _ in $(seq 600); do
        if curl -fs -o /dev/null "$URL/readyz"; then
            since "$1"
            return
        fi
        sleep 0.5
    done
    echo -
}

# --- 1. tools and the daemon -------------------------------------------------------------------------
install_tools() {
    local missing=()
    command -v dockerd >/dev/null || missing+=(docker.io)
    command -v docker-compose >/dev/null || missing+=(docker-compose)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    if ((${#missing[@]})); then
        say "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null
    fi
}

start_daemon() {
    docker info >/dev/null 2>&1 && return
    say "starting dockerd (log: /tmp/dockerd.log)"
    nohup dockerd >/tmp/dockerd.log 2>&1 &
    for _ in $(seq 60); do
        docker info >/dev/null 2>&1 && return
        sleep 1
    done
    say "dockerd did not start: /tmp/dockerd.log"
    exit 1
}

# --- 2. the base image ------------------------------------------------------------------------------
BASE_SECONDS="(existing image)"
build_base() {
    if [[ -z ${REBUILD_BASE:-} ]] && docker image inspect "$BASE_TAG" >/dev/null 2>&1; then
        say "base image $BASE_TAG exists"
        return
    fi
    local start
    start=$(now)
    local rootfs=$WORK/rootfs
    rm -rf "$rootfs"
    mkdir -p "$WORK"
    say "debootstrap bookworm into $rootfs"
    debootstrap --variant=minbase \
        --include=python3,python3-venv,python-is-python3,ca-certificates,passwd \
        bookworm "$rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1
    # The sources of Debian's own image (updates and security), then their updates.
    rm -f "$rootfs/etc/apt/sources.list"
    cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: ${MIRROR}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    # This host's extra CAs (its egress proxy), so that pip in the build trusts what the host trusts.
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
    fi
    cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
    chroot "$rootfs" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -y -qq upgrade \
        && update-ca-certificates && apt-get clean && rm -rf /var/lib/apt/lists/*' >>"$WORK/debootstrap.log" 2>&1
    : >"$rootfs/etc/resolv.conf"
    rm -rf "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/log/*.log "$rootfs"/tmp/*
    tar -C "$rootfs" --numeric-owner -c . | docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["python3"]' \
        --message "debootstrap bookworm minbase + python3 (scripts/image_rehearsal.sh)" \
        - "$BASE_TAG" >/dev/null
    rm -rf "$rootfs"
    BASE_SECONDS="$(since "$start") s"
    say "imported $BASE_TAG in $BASE_SECONDS"
}

PG_SECONDS=
build_postgres() {
    say "building $PG_TAG"
    local start
    start=$(now)
    docker build --network host --build-arg BASE_IMAGE="$BASE_TAG" -t "$PG_TAG" \
        -f "$ROOT/scripts/rehearsal/postgres.Dockerfile" "$ROOT/scripts/rehearsal" >"$WORK/postgres-build.log" 2>&1
    PG_SECONDS=$(since "$start")
}

# --- 3. the application image ----------------------------------------------------------------------
BUILD_SECONDS=
build_app() {
    say "serving $WHEELS on 127.0.0.1:$WHEEL_PORT"
    python3 -m http.server --bind 127.0.0.1 --directory "$WHEELS" "$WHEEL_PORT" >"$WORK/wheels-http.log" 2>&1 &
    local server=$!
    local start
    start=$(now)
    say "building $APP_TAG (log: $WORK/app-build.log)"
    local status=0
    docker build --network host ${NO_CACHE:+--no-cache} \
        --build-arg PYTHON_IMAGE="$BASE_TAG" \
        --build-arg TORCH_PIP_ARGS="--find-links http://127.0.0.1:$WHEEL_PORT/" \
        -t "$APP_TAG" "$ROOT" >"$WORK/app-build.log" 2>&1 || status=$?
    BUILD_SECONDS=$(since "$start")
    kill "$server"
    if ((status)); then
        tail -30 "$WORK/app-build.log" >&2
        exit 1
    fi
    say "built in $BUILD_SECONDS s"
}

# --- 4. started by compose on an internal network ---------------------------------------------------
COMPOSE=()
compose_file() {
    # docker-compose 1.29 (Debian's) does not know the top-level `name` (the project is named with -p);
    # the images are the local ones; the default network is the internal one made here; the host port
    # is left out (an internal network publishes none: the checks talk to the container's address).
    "$ROOT/.venv/bin/python" - "$ROOT/compose.yaml" "$WORK/compose.rehearsal.yaml" "$PG_TAG" "$APP_TAG" "$NETWORK" <<'EOF'
import sys, yaml
source, target, db_image, app_image, network = sys.argv[1:]
compose = yaml.safe_load(open(source))
compose.pop("name", None)
compose["services"]["db"]["image"] = db_image
compose["services"]["app"]["image"] = app_image
compose["services"]["app"].pop("build", None)
compose["services"]["app"].pop("ports", None)
compose["networks"] = {"default": {"name": network, "external": True}}
yaml.safe_dump(compose, open(target, "w"), sort_keys=False)
EOF
    COMPOSE=(docker-compose -p "$PROJECT" -f "$WORK/compose.rehearsal.yaml")
}

teardown() {
    if ((${#COMPOSE[@]})); then
        "${COMPOSE[@]}" down --volumes --timeout 40 >/dev/null 2>&1 || true
    fi
    docker network rm "$NETWORK" >/dev/null 2>&1 || true
}

container() { # the id of a service's container
    docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" \
        --filter "label=com.docker.compose.service=$1" | head -1
}

main() {
    [[ $(id -u) == 0 ]] || { say "run as root"; exit 1; }
    mkdir -p "$WORK"
    install_tools
    start_daemon
    build_base
    build_postgres
    build_app
    [[ ${1:-} == --images-only ]] && return
    compose_file
    trap teardown EXIT
    teardown
    docker network create --internal "$NETWORK" >/dev/null
    check "the network $NETWORK is internal (no route out)" \
        test "$(docker network inspect -f '{{.Internal}}' "$NETWORK")" = true

    local start
    start=$(now)
    "${COMPOSE[@]}" up -d >"$WORK/compose-up.log" 2>&1 || { cat "$WORK/compose-up.log" >&2; exit 1; }
    UP_SECONDS=$(since "$start") # compose creates the app once the database's health check passes
    APP=$(container app)
    DB=$(container db)
    IP=$(docker inspect -f "{{(index .NetworkSettings.Networks \"$NETWORK\").IPAddress}}" "$APP")
    URL=http://$IP:8000
    READY_SECONDS=$(seconds_until_ready "$start")
    local state=
    for _ in $(seq 300); do
        state=$(docker inspect -f '{{.State.Health.Status}}' "$APP")
        [[ $state == healthy || $state == unhealthy ]] && break
        sleep 1
    done
    HEALTHY_SECONDS=$(since "$start")
    check "compose started the database first: healthy before the app was created (${UP_SECONDS} s)" \
        test "$(docker inspect -f '{{.State.Health.Status}}' "$DB")" = healthy
    check "GET /readyz answers 200 (${READY_SECONDS} s after compose up)" curl -fsS "$URL/readyz"
    if [[ $state == healthy ]]; then
        pass "Docker's health check (the image's HEALTHCHECK) says healthy ${HEALTHY_SECONDS} s after compose up"
    else
        fail "health check: $state after ${HEALTHY_SECONDS} s"
    fi

    check "the app runs as uid 10001" test "$(docker exec "$APP" id -u):$(docker exec "$APP" id -g)" = 10001:10001
    check "its user has no login shell" \
        test "$(docker exec "$APP" getent passwd 10001 | cut -d: -f7)" = /usr/sbin/nologin
    check "the root file system is read-only" \
        test "$(docker inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$APP")" = true
    check "nothing outside the data volume and /tmp is writable" \
        docker exec "$APP" sh -c '! touch /opt/venv/x 2>/dev/null && ! touch /x 2>/dev/null \
            && touch /tmp/x /var/lib/kohtaamo/x'
    local migrations applied
    migrations=$(find "$ROOT/db/migrations" -name '[0-9]*.sql' | wc -l)
    applied=$(docker logs "$APP" 2>&1 | grep -c '"message": "applied migration' || true)
    check "every migration applied at start ($applied of $migrations), none left (kohtaamo migrate)" sh -c \
        "[ $applied -eq $migrations ] && docker exec $APP kohtaamo migrate"
    check "GET /metrics without the token is refused (403)" \
        test "$(curl -s -o /dev/null -w '%{http_code}' "$URL/metrics")" = 403
    curl -fsS -H "Authorization: Bearer $METRICS_TOKEN" "$URL/metrics" >"$WORK/metrics.txt" || true
    METRIC_SERIES=$(grep -c '^kohtaamo_' "$WORK/metrics.txt" || true)
    check "GET /metrics with the token gives Prometheus text ($METRIC_SERIES kohtaamo_ samples)" \
        grep -q '^# TYPE kohtaamo_http_request_duration_seconds histogram' "$WORK/metrics.txt"

    local password
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    check "kohtaamo users create (a coordinator) inside the container" sh -c \
        "printf '%s\n' '$password' | docker exec -i $APP kohtaamo users create --email coordinator@example.org \
            --role coordinator --area Rehearsal --name Koordinaattori --password-stdin"
    local demo_start
    demo_start=$(now)
    if docker exec "$APP" kohtaamo demo load >"$WORK/demo-load.log" 2>&1; then
        DEMO_SECONDS=$(since "$demo_start")
        pass "kohtaamo demo load inside the container (${DEMO_SECONDS} s, the model from the image, offline)"
    else
        DEMO_SECONDS=-
        fail "kohtaamo demo load (log: $WORK/demo-load.log)"
    fi
    # The running server's index follows what the command wrote (the change log), embedding it itself.
    local vectors=0
    for _ in $(seq 120); do
        vectors=$(curl -fs -H "Authorization: Bearer $METRICS_TOKEN" "$URL/metrics" |
            awk '/^kohtaamo_index_vectors\{side="need"\}/ {print int($2)}' || true)
        ((${vectors:-0} > 0)) && break
        sleep 1
    done
    check "the running server's index took in the demo's needs (kohtaamo_index_vectors: ${vectors:-0})" \
        test "${vectors:-0}" -gt 0
    check "no model download tried (HF_HUB_OFFLINE=1, no 'huggingface.co' in the logs)" sh -c \
        "docker exec $APP printenv HF_HUB_OFFLINE | grep -qx 1 && ! docker logs $APP 2>&1 | grep -qi huggingface.co \
         && ! grep -qi huggingface.co $WORK/demo-load.log"
    # pypi.org by name and by the address the host resolves it to: the host reaches it, the app does not.
    local pypi
    pypi=$(getent hosts pypi.org | awk 'NR == 1 {print $1}' || true)
    check "the app has no way out: pypi.org ($pypi:443) reachable from the host, not from the app (name or address)" \
        sh -c "curl -fsS -o /dev/null https://pypi.org/simple/ \
            && ! docker exec $APP python -c \"import socket; socket.create_connection(('pypi.org', 443), timeout=5)\" \
            && ! docker exec $APP python -c \"import socket; socket.create_connection(('$pypi', 443), timeout=5)\""
    check "the app reaches PostgreSQL by its service name" docker exec "$APP" python -c \
        "import socket; socket.create_connection(('db', 5432), timeout=5)"
    curl -s -o /dev/null -H "X-Request-ID: rehearsal-0001" "$URL/readyz" || true
    docker logs "$APP" >"$WORK/app.log" 2>&1 || true
    check "every log line is a JSON object" "$ROOT/.venv/bin/python" -c "
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
assert lines and all(isinstance(json.loads(l), dict) for l in lines)" "$WORK/app.log"
    check "the request id sent in X-Request-ID is in the access log line" \
        grep -q '"request_id": *"rehearsal-0001"' "$WORK/app.log"
    check "every access log line has a request id" "$ROOT/.venv/bin/python" -c "
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
access = [l for l in lines if l['logger'] == 'uvicorn.access']
assert access and all(l.get('request_id') for l in access)" "$WORK/app.log"
    check "no password or e-mail address in the logs" \
        sh -c "! grep -q -e '$password' -e 'coordinator@example.org' $WORK/app.log"

    # A slow request in flight when docker stop comes: a body sent slowly, its last bytes after SIGTERM.
    "$ROOT/.venv/bin/python" "$ROOT/scripts/rehearsal/slow_request.py" "$URL" coordinator@example.org "$password" \
        >"$WORK/slow-request.txt" 2>&1 &
    local client=$!
    sleep 3
    local stop_start
    stop_start=$(now)
    "${COMPOSE[@]}" stop app >/dev/null 2>&1 # as docker stop, with compose.yaml's stop_grace_period
    STOP_SECONDS=$(since "$stop_start")
    wait "$client" || true
    docker logs "$APP" >"$WORK/app.log" 2>&1 || true
    EXIT_CODE=$(docker inspect -f '{{.State.ExitCode}}' "$APP")
    check "compose stop (SIGTERM): graceful within the grace period (${STOP_SECONDS} s, exit code $EXIT_CODE)" \
        sh -c "grep -q 'Application shutdown complete' $WORK/app.log && [ $EXIT_CODE -ne 137 ]"
    local reply
    reply=$(tr -d '\n' <"$WORK/slow-request.txt")
    check "the request in flight at SIGTERM finished: $reply, logged after 'Shutting down'" \
        sh -c "grep -q '^status 201' $WORK/slow-request.txt \
            && grep -e 'Shutting down' -e 'POST /api/v1/employers' $WORK/app.log | head -2 | tail -1 | grep -q 201"

    # Started again on its volumes: nothing to migrate, the index back from its snapshots or PostgreSQL.
    start=$(now)
    "${COMPOSE[@]}" start app >/dev/null 2>&1
    RESTART_READY_SECONDS=$(seconds_until_ready "$start")
    docker logs "$APP" >"$WORK/app.log" 2>&1 || true
    check "started again: /readyz 200 after ${RESTART_READY_SECONDS} s, no migration applied twice" sh -c \
        "curl -fsS -o /dev/null $URL/readyz && [ \$(grep -c '\"message\": \"applied migration' $WORK/app.log) -eq $applied ]"
    RESTART_INDEX=$(grep '"message": "matching index loaded: ' "$WORK/app.log" | tail -1 |
        sed -n 's/.*"message": "matching index loaded: \([^"]*\)".*/\1/p' || true)
    check "its index holds the demo again (${RESTART_INDEX:-no line})" \
        sh -c "echo '${RESTART_INDEX:-}' | grep -qv '^0 needs'"
    start=$(now)
    "${COMPOSE[@]}" stop app >/dev/null 2>&1
    IDLE_STOP_SECONDS=$(since "$start")
    check "stopped idle: ${IDLE_STOP_SECONDS} s" \
        test "$(docker logs "$APP" 2>&1 | grep -c 'Application shutdown complete')" = 2

    docker logs "$DB" >"$WORK/db.log" 2>&1 || true
    check "the database's log holds no statement text (log_min_error_statement=panic)" \
        sh -c "! grep -q 'STATEMENT:' $WORK/db.log"

    write_result
    say "result: $RESULT"
    if [[ -z ${KEEP_CACHE:-} ]]; then # the build stage's image and the build cache; the images stay
        docker image prune -f >/dev/null
        docker builder prune -f >/dev/null 2>&1
    fi
    ((failures == 0))
}

write_result() {
    local cpu docker_version python_version pg_version build_note sizes
    cpu="$(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cores)"
    docker_version="daemon $(docker version -f '{{.Server.Version}}'), $(docker info -f '{{.Driver}}'),"
    docker_version+=" docker-compose $(docker-compose version --short)"
    python_version=$(docker run --rm "$BASE_TAG" python3 -c 'import platform; print(platform.python_version())')
    pg_version=$(docker run --rm --entrypoint postgres "$PG_TAG" --version | awk '{print $3}')
    build_note=" (every step run${NO_CACHE:+, --no-cache})"
    if grep -q 'Using cache' "$WORK/app-build.log"; then
        build_note=" ($(grep -c 'Using cache' "$WORK/app-build.log") steps from the layer cache of an earlier run)"
    fi
    sizes=$(docker run --rm --entrypoint sh "$APP_TAG" -c \
        'for d in /opt/venv /opt/venv/lib/python3.11/site-packages/torch /opt/kohtaamo/model; do du -sh $d; done' |
        awk '{printf "%s%s %s", sep, $2, $1; sep="; "}')
    {
        echo "# Container image rehearsal"
        echo
        echo "\`scripts/image_rehearsal.sh\`, $(date -u '+%Y-%m-%d %H:%M UTC'): the image built from the repository's"
        echo "Dockerfile and started by compose.yaml beside PostgreSQL on an internal Docker network"
        echo "(docs/operations.md, \"What was built and started here\")."
        echo
        echo "| | |"
        echo "|---|---|"
        echo "| CPU | $cpu, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end |"
        echo "| Docker | $docker_version |"
        echo "| base image | \`$BASE_TAG\` (debootstrap bookworm minbase, Python $python_version) instead of" \
            "python:3.11-slim-bookworm; made in $BASE_SECONDS |"
        echo "| database image | \`$PG_TAG\` (Debian's PostgreSQL $pg_version) instead of postgres:18-bookworm;" \
            "built in ${PG_SECONDS} s (its layers cached while the base is unchanged) |"
        echo "| application build | ${BUILD_SECONDS} s$build_note, Docker's classic builder (no buildx here)," \
            "torch from the local CPU wheel, the rest from PyPI |"
        echo "| image size | $(docker image ls --format '{{.Size}}' "$APP_TAG") (\`docker image ls $APP_TAG\`): $sizes |"
        echo "| compose up → database healthy, app created | ${UP_SECONDS} s |"
        echo "| compose up → first \`/readyz\` 200 | ${READY_SECONDS} s (empty database: migrations, index loaded) |"
        echo "| compose up → Docker says healthy | ${HEALTHY_SECONDS} s (the health check runs every 10 s) |"
        echo "| \`kohtaamo demo load\` in the container | ${DEMO_SECONDS} s |"
        echo "| compose stop → exited | ${STOP_SECONDS} s, exit code ${EXIT_CODE}, a request in flight finishing first |"
        echo "| compose start again → \`/readyz\` 200 | ${RESTART_READY_SECONDS} s (index: ${RESTART_INDEX:-?}) |"
        echo "| compose stop, idle → exited | ${IDLE_STOP_SECONDS} s |"
        echo
        echo "Images:"
        echo
        echo '```'
        docker image ls --format 'table {{.Repository}}:{{.Tag}}\t{{.Size}}' |
            grep -e REPOSITORY -e "${APP_TAG%%:*}" -e kohtaamo-local
        echo '```'
        echo
        echo "Checks:"
        echo
        printf '%s\n' "${REPORT[@]}"
    } >"$RESULT"
}

main "$@"
