#!/usr/bin/env bash
# Regenerate every ISO 10161 test vector in this folder from YAZ (deterministic: no clock, no randomness).
# Usage: tests/vectors/iso10161/regenerate.sh PATH/TO/yaz-ill-oracle   (needs python3 and yaz-illclient)
set -euo pipefail

ORACLE=$(realpath "${1:?usage: regenerate.sh PATH/TO/yaz-ill-oracle}")
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON:-python3}
cd "$HERE"

# The oracle's rendering of a file; the exit status is kept (negative vectors fail on purpose).
render() { # FILE -> FILE.yaz.txt, echoes the exit status
    local rc=0
    "$ORACLE" decode -p -e "$1" >"${1%.ber}.yaz.txt" || rc=$?
    echo "$rc"
}

rm -f ./*.ber ./*.yaz.txt negative/*.ber negative/*.yaz.txt unusual/*.ber unusual/*.yaz.txt
mkdir -p negative unusual

# 1 and 2: canned kinds and variants, as listed in encode.tsv (NAME, then the encode arguments).
while IFS=$'\t' read -r -a row; do
    [[ ${#row[@]} -eq 0 || ${row[0]} == \#* ]] && continue
    name=${row[0]}
    "$ORACLE" encode "${row[@]:1}" -o "$name.ber"
    rc=$(render "$name.ber")
    [[ $rc == 0 ]] || { echo "YAZ rejects its own $name (rc $rc)" >&2; exit 1; }
done <encode.tsv

# 3: yaz-illclient captures. The reply is YAZ's status-report with its outer length rewritten in long form.
"$PY" craft.py reply .
[[ $(render illclient-reply-status-report.ber) == 0 ]]
"$PY" capture_peer.py --reply illclient-reply-status-report.ber --out illclient-request-plain.ber -- \
    yaz-illclient -f "$HERE/illclient-params.txt" '127.0.0.1:{port}' >/dev/null
"$PY" capture_peer.py --reply illclient-reply-status-report.ber --out illclient-request-oclc-auth.ber -- \
    yaz-illclient -f "$HERE/illclient-params.txt" -o -u 100-310-658 -p s3cret-test '127.0.0.1:{port}' >/dev/null
for f in illclient-request-plain.ber illclient-request-oclc-auth.ber; do
    [[ $(render "$f") == 0 ]]
done

# 4: negative and unusual vectors, derived byte by byte from the ones above; record YAZ's verdicts.
"$PY" craft.py edge .
for sub in negative unusual; do
    : >"$sub/verdicts.tsv"
    for f in "$sub"/*.ber; do
        printf '%s\t%s\n' "$(basename "${f%.ber}")" "$(render "$f")" >>"$sub/verdicts.tsv"
    done
done
echo "regenerated $(ls ./*.ber negative/*.ber unusual/*.ber | wc -l) vectors"
