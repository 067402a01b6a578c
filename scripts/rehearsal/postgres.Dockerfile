# A stand-in for postgres:18-bookworm, for scripts/image_rehearsal.sh only: Debian's own PostgreSQL 15
# on the local bookworm base image, started the way the official image is for what compose.yaml uses
# (POSTGRES_USER, POSTGRES_DB, POSTGRES_PASSWORD; data under /var/lib/postgresql; `postgres -c …`;
# pg_isready). Not for production: use the official image there.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
# No cluster made at install time (as the official image): the entry point makes it in the volume.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-common \
    && sed -ri 's/#(create_main_cluster) .*$/\1 = false/' /etc/postgresql-common/createcluster.conf \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data \
    && install -d -o postgres -g postgres -m 2775 /var/run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
USER postgres
VOLUME ["/var/lib/postgresql"]
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
