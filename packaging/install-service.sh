#!/usr/bin/env bash
# Install the agents as systemd services on a field computer (Debian, run as root).
#
#   /opt/enforcement-edge/            the software and its virtualenv (this checkout, copied)
#   /etc/enforcement-edge/NAME.yaml   one config per agent (root-owned, readable by edge)
#   /var/lib/enforcement-edge/keys/   the device signing key (edge only, mode 0700/0600)
#   /var/lib/enforcement-edge/outbox/ the durable outbox (SQLite)
#   /var/lib/enforcement-edge/evidence/ evidence files until acknowledged
#   /var/log/enforcement-edge/        logs, rotated daily (logrotate)
#
# Usage: packaging/install-service.sh config/wim_site.yaml [more configs...]
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "install-service: run as root" >&2; exit 2; }
[ $# -ge 1 ] || { echo "usage: $0 CONFIG.yaml [CONFIG.yaml ...]" >&2; exit 2; }
src=$(cd "$(dirname "$0")/.." && pwd)

id edge >/dev/null 2>&1 || useradd --system --home-dir /var/lib/enforcement-edge \
  --shell /usr/sbin/nologin --groups dialout,audio,video edge
install -d -o root -g root -m 0755 /opt/enforcement-edge /etc/enforcement-edge
install -d -o edge -g edge -m 0750 /var/lib/enforcement-edge /var/log/enforcement-edge \
  /var/lib/enforcement-edge/outbox /var/lib/enforcement-edge/evidence
install -d -o edge -g edge -m 0700 /var/lib/enforcement-edge/keys

if [ "$src" != /opt/enforcement-edge ]; then
  tar -C "$src" --exclude=.venv --exclude=.git --exclude=var -cf - . | tar -C /opt/enforcement-edge -xf -
fi
(cd /opt/enforcement-edge && scripts/setup.sh)

for cfg in "$@"; do
  name=$(basename "$cfg" .yaml)
  install -o root -g edge -m 0640 "$cfg" "/etc/enforcement-edge/$name.yaml"
  /opt/enforcement-edge/.venv/bin/edge config check "/etc/enforcement-edge/$name.yaml"
done
install -m 0644 "$src/packaging/systemd/enforcement-edge@.service" /etc/systemd/system/
install -m 0644 "$src/packaging/logrotate/enforcement-edge" /etc/logrotate.d/enforcement-edge
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  for cfg in "$@"; do systemctl enable --now "enforcement-edge@$(basename "$cfg" .yaml)"; done
else
  echo "install-service: systemd is not running here; units installed, not started" >&2
fi
echo "install-service: done. Paths in the configs should point into /var/lib/enforcement-edge."
