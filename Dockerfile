# Build: the release binary, dependencies in a layer of their own so that a change to src/ does
# not rebuild them. Run: a slim image with the binary and curl (for the health check); the
# database is given by DATABASE_URL (see docker-compose.yml), or embedded under the data volume.
FROM rust:1.95-bookworm AS build
WORKDIR /src
# 1. Dependencies only: the manifests with empty targets, built once and cached.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src tests/api \
    && echo 'fn main() {}' > src/main.rs && touch src/lib.rs && echo '' > tests/api/main.rs \
    && cargo build --release --locked --bin binhdang \
    && rm -rf src tests target/release/.fingerprint/binhdang-* target/release/deps/binhdang-* \
       target/release/deps/libbinhdang-*
# 2. The service itself.
COPY rustfmt.toml build.rs ./
COPY src ./src
COPY migrations ./migrations
COPY openapi ./openapi
COPY tests ./tests
RUN cargo build --release --locked --bin binhdang

FROM debian:bookworm-slim
# postgresql-client: pg_dump and pg_restore (15, as the compose file's server) for backup/restore.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/binhdang --create-home binhdang
COPY --from=build /src/target/release/binhdang /usr/local/bin/binhdang
USER binhdang
WORKDIR /var/lib/binhdang
ENV BIND=0.0.0.0 PORT=8080 BINHDANG_DATA_DIR=/var/lib/binhdang LOG_FORMAT=json
EXPOSE 8080
# Ready means the database answers and migrations are applied, not merely that the port is open.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/health/ready" || exit 1
ENTRYPOINT ["binhdang"]
CMD ["serve"]
