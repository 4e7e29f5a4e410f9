# Sourced by the test command (and by tests that need a Python tool). Gives a virtualenv under .tools/venvs/NAME with
# exactly the packages of a pinned requirements file, made again when that file changes. Needs python3 (3.9 or newer)
# with its venv module (Debian: apt-get install python3-venv); pip's cache makes a rebuild fast.
#
#   source scripts/lib/python-venv.sh
#   python="$(cabc_python_venv oscal-validators packages/oscal/validators/requirements.txt)"

cabc_python_venv() {
  local name="$1" requirements="$2"
  local root venv stamp wanted python
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  case "$requirements" in /*) ;; *) requirements="$root/$requirements" ;; esac
  venv="$root/.tools/venvs/$name"
  stamp="$venv/.cabc-requirements.sha256"
  wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
  mkdir -p "$root/.tools/venvs"
  (
    # One builder at a time: test files running in parallel may ask for the same virtualenv.
    if command -v flock >/dev/null; then flock 9; fi
    if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then exit 0; fi
    python="$(command -v python3 || true)"
    local usable='import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 9))'
    if [ -z "$python" ] || ! "$python" -c "$usable" 2>/dev/null; then
      echo "cabc: the virtualenv $name needs python3 >= 3.9 with venv (Debian: apt-get install python3-venv)" >&2
      exit 1
    fi
    echo "cabc: preparing the Python virtualenv .tools/venvs/$name" >&2
    "$python" -m venv --clear "$venv" >&2
    "$venv/bin/python" -m pip install --disable-pip-version-check --quiet --no-input -r "$requirements" >&2
    echo "$wanted" >"$stamp"
  ) 9>"$root/.tools/venvs/$name.lock" || return 1
  echo "$venv/bin/python"
}
