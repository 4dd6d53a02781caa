# Builds with the very scripts CI runs (scripts/install-deps.sh, scripts/build.sh),
# then ships the three executables on a slim Debian runtime: non-root, data in a
# volume, health from the readiness endpoint, secrets only from the environment.
FROM debian:12 AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh build
COPY . .
RUN scripts/build.sh release -DMINITWIT_BUILD_TESTS=OFF

FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      librocksdb7.8 libsodium23 libspdlog1.10 libfmt9 libboost-json1.81.0 \
      libprometheus-cpp-core1.0 libssl3 libsqlite3-0 libjemalloc2 curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin minitwit \
 && mkdir -p /data /backups && chown minitwit:minitwit /data /backups
COPY --from=build /src/build/release/bin/minitwit-server /src/build/release/bin/minitwit-admin \
                  /src/build/release/bin/minitwit-replay /usr/local/bin/
USER minitwit
WORKDIR /data
VOLUME ["/data", "/backups"]
EXPOSE 5000 5001 5002
ENV MINITWIT_DATA_DIR=/data \
    MINITWIT_API_LISTEN=0.0.0.0:5001 \
    MINITWIT_WEB_LISTEN=0.0.0.0:5000 \
    MINITWIT_ADMIN_LISTEN=127.0.0.1:5002
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS http://127.0.0.1:5002/health/ready || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["minitwit-server"]
