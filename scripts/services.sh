#!/usr/bin/env bash
# Starts the local PostgreSQL and MariaDB used by database tests, if they are down.
# Safe to run repeatedly; prints what it did. Start commands follow the machine documentation.
set -u

pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
my_up() { (exec 3<>/dev/tcp/127.0.0.1/3306) 2>/dev/null; }

if pg_up; then
  echo "postgresql: running"
elif command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  echo "postgresql: starting"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
else
  echo "postgresql: not installed here; database tests will report it"
fi

if my_up; then
  echo "mariadb: running"
elif [ -x /usr/sbin/mariadbd ]; then
  echo "mariadb: starting"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
else
  echo "mariadb: not installed here; database tests will report it"
fi

for _ in $(seq 1 30); do
  if pg_up && my_up; then break; fi
  sleep 1
done
exit 0
