# syntax=docker/dockerfile:1
# The Portcullis server as a container image: see docs/deployment.md ("Container image").
#
#   docker build -t portcullis .
#   docker run -p 8080:8080 -v portcullis:/var/lib/portcullis portcullis

# --- build: the release binary, with the same toolchain the workspace is developed on ---
FROM rust:1.95-bookworm AS build
WORKDIR /src
# Every workspace member's manifest and sources are needed to resolve the workspace; the build
# itself compiles only the server. sqlx bundles SQLite and TLS is rustls: no system libraries.
COPY Cargo.toml Cargo.lock ./
COPY crates ./crates
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p portcullis-server --bin portcullis \
    && install -m 0755 target/release/portcullis /usr/local/bin/portcullis

# --- runtime: glibc and nothing else (the binary links only libc, libm and libgcc_s) ---
FROM debian:bookworm-slim
# A fixed UID/GID, so a volume or bind mount can be given to it (chown 10001:10001).
RUN groupadd --system --gid 10001 portcullis \
    && useradd --system --uid 10001 --gid portcullis --home-dir /var/lib/portcullis \
       --shell /usr/sbin/nologin portcullis \
    && install -d -m 0700 -o portcullis -g portcullis /var/lib/portcullis
COPY --from=build /usr/local/bin/portcullis /usr/local/bin/portcullis

ENV PORTCULLIS_BIND=0.0.0.0:8080 \
    PORTCULLIS_DATA=/var/lib/portcullis \
    PORTCULLIS_LOG_FORMAT=json
VOLUME ["/var/lib/portcullis"]
EXPOSE 8080
USER 10001:10001
WORKDIR /var/lib/portcullis

# The slim image has no curl or wget; bash's /dev/tcp asks /healthz (liveness only: readiness,
# /readyz, is for the load balancer) on the port PORTCULLIS_BIND names.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORTCULLIS_BIND##*:} && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

# SIGTERM drains and exits 0; give it the time to (docker stop -t 45).
STOPSIGNAL SIGTERM
ENTRYPOINT ["portcullis", "serve"]
