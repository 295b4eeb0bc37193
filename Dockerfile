# syntax=docker/dockerfile:1
#
# udpot alone in an image: no shell, no package manager, nothing to log in to.
#
#   docker build --build-arg UDPOT_COMMIT=$(git rev-parse --short HEAD) -t udpot .
#   docker run -d -p 53:5053/udp -p 53:5053/tcp -v udpot-data:/data udpot
#
# The build stage compiles udpot and lays out its whole root filesystem with
# scripts/rootfs; the final stage is that directory and nothing else.
# tests/e2e/scratch-root.test.ts starts the same directory in a chroot as the
# user below, so what this file promises is tested without a Docker engine.
# See docs/deploy.md for ports, the volume and the source address behind NAT.

# Debian 12, like the machines the test runs on: the glibc copied into the
# image is this stage's.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# bun is a devDependency: npm ci brings the compiler.
RUN npm ci
COPY tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
# There is no .git in the build context; pass the commit for `udpot --version`.
ARG UDPOT_COMMIT
RUN scripts/rootfs /rootfs

FROM scratch
# Ownership from the build stage is kept: /data belongs to 65532.
COPY --from=build /rootfs/ /
USER 65532:65532
# Relative paths given to -j land in the volume.
WORKDIR /data
ENV UDPOT_SQL=sqlite:////data/db.sqlite3
# The upstream resolver comes from `-e DNS_SERVER=ADDR[:PORT]` (the old image's
# variable); unset, udpot takes the first nameserver in Docker's /etc/resolv.conf.
EXPOSE 5053/udp 5053/tcp
VOLUME /data
# udpot handles SIGTERM itself, which PID 1 must do: `docker stop` ends it
# cleanly, with every recorded event flushed, and exit status 0.
ENTRYPOINT ["/udpot"]
