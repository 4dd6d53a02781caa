# Builds with the very scripts CI runs, then ships the server alone on slim Debian.
# (The operations issue adds the health check, compose file and monitoring.)
FROM debian:12 AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh build
COPY . .
RUN scripts/build.sh release -DMINITWIT_BUILD_TESTS=OFF

FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends librocksdb7.8 libsodium23 libspdlog1.10 \
      libfmt9 libboost-json1.81.0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /data minitwit && mkdir -p /data && chown minitwit /data
COPY --from=build /src/build/release/bin/minitwit-server /usr/local/bin/
USER minitwit
VOLUME /data
EXPOSE 5000 5001
ENV MINITWIT_DATA_DIR=/data MINITWIT_API_LISTEN=0.0.0.0:5001 MINITWIT_WEB_LISTEN=0.0.0.0:5000
STOPSIGNAL SIGTERM
ENTRYPOINT ["minitwit-server"]
