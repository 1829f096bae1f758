"""Fuzzing harness for isoill's decoders: the BER codec (`isoill.decode`), the TCP framer
(`isoill.stream.Framer`) and the ISO 18626 parser (`iso18626.parse`/`read`).

`fuzz.mutate` mutates real inputs (generic byte mutations plus BER- and XML-aware ones), `fuzz.targets` feeds
them to a decoder and classifies the outcome (a value or the package's typed error is fine; anything else, or
more than a second, is a finding), `fuzz.run` is the time- or count-bounded driver behind `make fuzz`, and
`fuzz.atheris_main` the optional coverage-guided engine. `tests/project/test_fuzz_smoke.py` runs a short
hypothesis-driven version of the same mutations in CI.
"""
