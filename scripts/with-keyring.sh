#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a throwaway, unlocked gnome-keyring, so the
# keychain tests talk to a real Secret Service and leave nothing on the machine.
set -euo pipefail
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
  echo "with-keyring: dbus-run-session or gnome-keyring-daemon not found (apt: dbus gnome-keyring libsecret-tools);" \
    "keychain tests will be skipped (and fail under CI=true)" >&2
  exec "$@"
fi
if [ -z "${AUTHCTL_KEYRING_SESSION:-}" ]; then
  export AUTHCTL_KEYRING_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
# --unlock reads the (throwaway) password on stdin and creates the login keyring with it.
eval "$(printf 'authctl-throwaway\n' | gnome-keyring-daemon --daemonize --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
owned=false
for _ in $(seq 1 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
    owned=true
    break
  fi
  sleep 0.1
done
if [ "$owned" != true ]; then
  echo "with-keyring: org.freedesktop.secrets never appeared on the session bus" >&2
  exit 1
fi
export AUTHCTL_TEST_SECRET_SERVICE=1
"$@"
