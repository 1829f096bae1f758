#!/usr/bin/env bash
# Release check: build the sdist and the wheel, check their metadata with twine, check the wheel carries LICENSE,
# then unpack the sdist, install it into a fresh venv (with pytest and hypothesis only) and run a subset of its
# own tests there, from the unpacked tree. Takes 1-3 minutes; CI runs it after `make test` (make check-sdist).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$PY" -m build --sdist --wheel --outdir "$work/dist" . >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
if grep -qi "deprecat" "$work/build.log"; then
  grep -i "deprecat" "$work/build.log"; echo "check_sdist: the build warns of a deprecation" >&2; exit 1
fi
"$PY" -m twine check --strict "$work/dist"/*

"$PY" - "$work/dist" <<'PY'
import pathlib, sys, tarfile, zipfile
dist = pathlib.Path(sys.argv[1])
wheel = zipfile.ZipFile(next(dist.glob("*.whl")))
assert any(n.endswith(".dist-info/licenses/LICENSE") for n in wheel.namelist()), "the wheel has no LICENSE"
meta = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
text = wheel.read(meta).decode()
assert "License-Expression: MIT" in text and "Project-URL: Repository" in text, "license or URLs missing"
names = tarfile.open(next(dist.glob("*.tar.gz"))).getnames()
for needed in ("LICENSE", "tests/conftest.py", "tests/strategies.py", "tests/yaz.py", "tests/vectors/iso10161",
               "docs/cli.md", "tests/core/test_strict_input.py"):
    assert any(n.split("/", 1)[-1] == needed or n.split("/", 1)[-1].startswith(needed + "/") for n in names), needed
print("check_sdist: wheel and sdist contents ok")
PY

tar -xzf "$work/dist"/*.tar.gz -C "$work"
src=$(find "$work" -maxdepth 1 -type d -name 'isoill-*' | head -1)
"$PY" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q "$src" pytest hypothesis
# The installed package, not a source tree on the path: the unpacked tree's src/ is moved out of the way.
mv "$src/src" "$work/unused-src"
cd "$src"
"$work/venv/bin/python" -c "import isoill, iso18626, illnode, sys; assert 'site-packages' in isoill.__file__, isoill.__file__"
"$work/venv/bin/python" -m pytest -q -p no:cacheprovider -x \
  tests/core tests/cli/test_cli_input.py tests/iso10161/test_codec.py tests/project/test_docs.py tests/iso10161/test_stream.py \
  tests/iso18626/test_iso18626_serialize.py tests/iso18626/test_iso18626_strict.py
echo "check_sdist: the unpacked sdist passes its tests in a fresh venv"
