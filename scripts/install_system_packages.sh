#!/usr/bin/env bash
# System packages the course needs beyond Python: bubblewrap (`bwrap`), the sandbox that
# `nbgrader autograde` runs students' code in. Installed with apt-get on Debian and Ubuntu (as
# root, or with sudo); elsewhere this says what to do. Run by `make setup`, only when missing.
set -euo pipefail

if command -v bwrap >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing bubblewrap (the grading sandbox) with apt-get ..."
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq bubblewrap >/dev/null
  exit 0
fi
cat >&2 <<'MSG'
Note: bubblewrap is not installed, and this system has no apt-get. Students can work and validate
as usual, but `nbgrader autograde` will refuse to run students' code without its sandbox. Install
bubblewrap with your system's package manager (Linux), or see "Grading untrusted submissions" in
the README (macOS and Windows).
MSG
