#!/bin/sh
# Runs inside the sandbox image's root filesystem, in a chroot (offline build) or a Docker RUN
# (registry build), so that both paths give the same image: Python packages, users, mount points.
set -eu
python3 -m venv /opt/venv
/opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check --no-input -r /tmp/requirements.txt
/opt/venv/bin/pip uninstall -y --disable-pip-version-check pip setuptools >/dev/null 2>&1 || true
grep -q '^sandbox-app:' /etc/group || echo 'sandbox-app:x:1001:' >> /etc/group
grep -q '^sandbox-suite:' /etc/group || echo 'sandbox-suite:x:1002:' >> /etc/group
grep -q '^sandbox-app:' /etc/passwd \
  || echo 'sandbox-app:x:1001:1001:candidate app:/tmp:/usr/sbin/nologin' >> /etc/passwd
grep -q '^sandbox-suite:' /etc/passwd \
  || echo 'sandbox-suite:x:1002:1002:hidden suite:/tmp:/usr/sbin/nologin' >> /etc/passwd
mkdir -p /app /grader /data /opt/harness
chmod 0755 /app /grader /data /opt/harness
rm -rf /var/cache/apt/archives/*.deb /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* /tmp/*
