"""Optional coverage-guided engine: the same targets under atheris (libFuzzer), when it is installed.

    python -m fuzz.atheris_main --target ber -- -max_total_time=60 -dict=... (libFuzzer flags after --)

The seed corpus is written to fuzz/results/atheris-<target>/ and passed to libFuzzer; a crashing input is left
by libFuzzer as crash-<sha1> in the working directory. Without atheris this exits with status 2 and a message;
`make fuzz` then uses the mutation driver (`fuzz.run`), which needs nothing beyond the test dependencies.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fuzz import run
from fuzz.targets import TARGETS, Finding


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    ours, _, libfuzzer = (args_in[:args_in.index("--")], None, args_in[args_in.index("--") + 1:]) \
        if "--" in args_in else (args_in, None, [])
    ap = argparse.ArgumentParser(prog="python -m fuzz.atheris_main")
    ap.add_argument("--target", default="ber", choices=list(TARGETS))
    args = ap.parse_args(ours)
    try:
        import atheris  # type: ignore[import-not-found]
    except ImportError:
        print("atheris is not installed (pip install atheris); use `python -m fuzz.run` instead", file=sys.stderr)
        return 2
    check = TARGETS[args.target]
    corpus_dir = run.RESULTS / f"atheris-{args.target}"
    corpus_dir.mkdir(parents=True, exist_ok=True)
    for n, seed in enumerate(run.seed_corpus(args.target)):
        (corpus_dir / f"seed-{n:03d}").write_bytes(seed)

    def one_input(data: bytes) -> None:
        try:
            check(data)
        except Finding as f:
            if f.kind == "framer-drops-apdus-on-error":
                return  # known and tracked by an xfail test; keep looking for others
            raise

    for seed in run.seed_corpus(args.target)[:3]:  # generate the codec's functions so that they get instrumented
        try:
            check(seed)
        except Finding:
            pass
    atheris.instrument_all()  # coverage feedback from everything loaded, including the generated decoders
    atheris.Setup([sys.argv[0], *libfuzzer, str(corpus_dir)], one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    Path(run.RESULTS).mkdir(exist_ok=True)
    sys.exit(main())
