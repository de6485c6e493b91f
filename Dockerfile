# Build: the release binary. Run: a slim image with the binary and nothing else; the database is
# given by DATABASE_URL (see docker-compose.yml).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock rustfmt.toml ./
COPY src ./src
COPY migrations ./migrations
COPY openapi ./openapi
COPY tests ./tests
RUN cargo build --release --locked --bin binhdang

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/binhdang --create-home binhdang
COPY --from=build /src/target/release/binhdang /usr/local/bin/binhdang
USER binhdang
WORKDIR /var/lib/binhdang
ENV BIND=0.0.0.0 PORT=8080 BINHDANG_DATA_DIR=/var/lib/binhdang LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]
ENTRYPOINT ["binhdang"]
CMD ["serve"]
