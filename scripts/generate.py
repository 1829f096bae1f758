"""Regenerate every committed generated artifact (`make generate`): the ISO 18626 XSDs in schemas/ (the package
data src/iso18626/schemas is a symlink to it), the NCIP XSD (schemas/ and src/ncip/schemas/) and model
(src/ncip/model.py), the state diagrams in docs/diagrams/ and the partner profile pages in docs/profiles/.
`--check` only reports what is stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from iso18626._xml.xsdgen import FILES, generate

ROOT = Path(__file__).resolve().parent.parent
XSD_DIRS = (ROOT / "schemas",)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when a committed file differs")
    args = parser.parse_args(argv)
    stale = []
    for folder in XSD_DIRS:
        for version, name in FILES.items():
            path, text = folder / name, generate(version)
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
                if not args.check:
                    path.write_text(text, encoding="utf-8")
    from ncip import modelgen, xsdgen

    ncip_files = {ROOT / "schemas" / xsdgen.FILE: xsdgen.generate(),
                  ROOT / "src" / "ncip" / "schemas" / xsdgen.FILE: xsdgen.generate(),
                  ROOT / "src" / "ncip" / "model.py": modelgen.generate()}
    for path, text in ncip_files.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(ROOT / "scripts"))
    import gen_state_diagrams

    diagrams = gen_state_diagrams.main(["--check"] if args.check else [])
    import gen_profile_docs

    for filename, text in gen_profile_docs.pages().items():
        path = gen_profile_docs.OUT / filename
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'}: {path.relative_to(ROOT)}")
    return 1 if args.check and (stale or diagrams) else 0


if __name__ == "__main__":
    sys.exit(main())
