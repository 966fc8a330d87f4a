#!/usr/bin/env bash
# System packages the course needs beyond Python, installed with apt-get on Debian and Ubuntu (as
# root, or with sudo); elsewhere this says what to do. Run by `make setup`, only for what is missing.
#   bubblewrap (`bwrap`)  the sandbox `nbgrader autograde` runs students' code in
#   chromium              the browser the browser tests drive (through Playwright)
#   postgresql            a PostgreSQL server, which the tests start on a free port to grade into
#                         (a class with several graders keeps its gradebook on PostgreSQL)
#   nodejs, npm           npm installs JupyterHub's proxy (configurable-http-proxy) for the hub
set -euo pipefail

missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 \
  || missing+=(postgresql)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing ${missing[*]} with apt-get ..."
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
cat >&2 <<MSG
Note: ${missing[*]} not installed, and this system has no apt-get.
- bubblewrap: students can work and validate as usual, but \`nbgrader autograde\` will refuse to
  run students' code without its sandbox. Install it with your system's package manager (Linux),
  or see "Grading untrusted submissions" in the README (macOS and Windows).
- chromium: only the browser tests need it. Install Chromium and set GDCOURSE_CHROMIUM to its
  path if it is not on PATH as \`chromium\`.
- postgresql: only the gradebook test needs it (initdb and pg_ctl on PATH, or under
  /usr/lib/postgresql/VERSION/bin).
- nodejs and npm: only JupyterHub (make hub, and its test) needs them, for its proxy.
MSG
