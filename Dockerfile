FROM rust:1-bookworm AS builder
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev libsqlite3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# Dependencies first, against stub sources, so that a source change doesn't rebuild them.
COPY Cargo.toml Cargo.lock ./
COPY backend/Cargo.toml backend/
RUN mkdir backend/src \
 && echo 'fn main() {}' > backend/src/main.rs \
 && touch backend/src/lib.rs \
 && cargo build --release -p dhana \
 && rm -rf backend/src

# Migrations and the categorizer's model are embedded into the binary at compile time.
COPY migrations migrations
COPY ml-models ml-models
COPY backend backend
# COPY keeps the files' old mtimes, which cargo would take as older than the stub build.
RUN touch backend/src/main.rs backend/src/lib.rs \
 && cargo build --release -p dhana

# The web app, served by dhana at / (DHANA_FRONTEND_DIR). Its API types come from openapi.yaml.
FROM node:20-bookworm-slim AS web
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY openapi.yaml /src/
COPY frontend ./
RUN npm run build

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 libsqlite3-0 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin dhana \
 && mkdir /data \
 && chown dhana:dhana /data
COPY --from=builder /src/target/release/dhana /usr/local/bin/dhana
COPY --from=web /src/frontend/dist /usr/share/dhana/web
# Numeric, so that runtimes can check it is not root.
USER 10001:10001
WORKDIR /data
ENV DHANA_BIND=0.0.0.0:8080 DHANA_DATA_DIR=/data DHANA_FRONTEND_DIR=/usr/share/dhana/web
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["dhana"]
CMD ["serve"]
