#!/bin/sh
# The runtime stage's one RUN step, as root on the base image (Debian or Ubuntu): tini as PID 1
# (forwards SIGTERM to node so a cancelled activity checkpoints, reaps zombies), and the non-root
# user 10001 the chart runs as. Leaves no package lists or caches behind.
# Run by images/Dockerfile.{cpu,gpu} and by scripts/image/verify.sh inside the unpacked base rootfs.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends tini ca-certificates
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log
groupadd --gid 10001 spnas
useradd --uid 10001 --gid 10001 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin spnas
ln -sf /opt/spnas/bin/spnas.js /usr/local/bin/spnas
