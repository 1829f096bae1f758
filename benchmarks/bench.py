"""Codec benchmarks: isoill against pyasn1, asn1tools, YAZ's C codec, lxml and xmlschema, in one interleaved run.

    .venv/bin/python benchmarks/bench.py [--rounds N] [--target-ms MS] [--json FILE] [--only ber,xml,framer]

Method (docs/performance.md explains why):
- Every case of a section runs once per round, in an order rotated each round (A B C, B C A, ...), so slow
  phases of a noisy VM hit every case alike.
- A Python case runs as a batch calibrated once to about --target-ms (80 ms), with `gc.collect()` before each
  batch and the collector enabled during it. The batch is timed in --repeats (5) equal parts and the fastest
  part, divided by its size, is the round's sample; the C driver does the same. These VMs flip between speed
  states about 1.8x apart within milliseconds; the fastest part puts both sides of a ratio in the same state.
- Time is the process's CPU time by default (--clock cpu), so time slices lost to other processes on a shared
  host do not count; --clock wall uses the monotonic wall clock (both sides, Python and C, use the same).
- YAZ's C codec runs as `yaz_bench FILE MS`, one subprocess per round that times its own loops (start-up is not
  counted). It is built by `make bench` into build/bench/ when libyaz-dev is present; otherwise it is skipped.
- Ratios are taken per round (case / reference in the same round) and reported as medians; µs are medians too.
- Before timing, every codec's output is checked: every encoder's octets decode to the same value, and
  every XML document passes the schema and round-trips through the model.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import messages  # noqa: E402  (benchmarks/ is not a package)

import isoill  # noqa: E402
from isoill import reference  # noqa: E402

FIXTURES = HERE / "fixtures"
SHARED = Path(os.environ.get("SHARED", ROOT.parent / "shared"))
ASN1TOOLS_SPEC = SHARED / "reference" / "iso10161" / "ill9702-asn1tools.asn"
DEFAULT_YAZ_DRIVER = ROOT / "build" / "bench" / "yaz_bench"
XML_MESSAGES = {"request": "iso18626-request.xml", "supplyingAgencyMessage": "iso18626-supplying.xml",
                "requestConfirmation": "iso18626-confirmation.xml"}


@dataclass
class Case:
    """One timed operation. `ref` names the case its per-round ratio is taken against."""

    section: str
    message: str
    op: str
    impl: str
    fn: Callable[[], Any] | None = None
    ref: str | None = None
    samples: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    batch: int = 0

    @property
    def key(self) -> str:
        return f"{self.message} | {self.op} | {self.impl}"


@dataclass
class CUnit:
    """One C driver subprocess per round, filling the samples of its cases (decode and encode)."""

    argv: list[str]
    cases: dict[str, Case]  # JSON field -> case


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
clock = CLOCKS["cpu"]


def calibrate(fn: Callable[[], Any], target: float) -> int:
    n = 1
    while True:
        t0 = clock()
        for _ in range(n):
            fn()
        dt = clock() - t0
        if dt >= target / 4 or n >= 1 << 22:
            return max(1, int(n * target / max(dt, 1e-9)))
        n *= 4


def run_batch(fn: Callable[[], Any], n: int, repeats: int) -> float:
    """µs per call: the fastest of `repeats` timed parts of n // repeats calls each."""
    m = max(1, n // repeats)
    best = float("inf")
    gc.collect()
    for _ in range(repeats):
        t0 = clock()
        for _ in range(m):
            fn()
        best = min(best, clock() - t0)
    return best / m * 1e6


# ---- BER ----

def _asn1tools() -> Any:
    try:
        import asn1tools
    except ImportError:
        return None
    if not ASN1TOOLS_SPEC.exists():
        return None
    # asn1tools cannot decode `[2] ANY DEFINED BY identifier` (the Extension item); plain ANY means the same
    # octets to it.
    text = re.sub(r"ANY DEFINED BY [\w-]+", "ANY", ASN1TOOLS_SPEC.read_text())
    return asn1tools.compile_string(text, "ber")


def ber_cases(yaz_driver: Path | None, target_ms: float, workdir: Path, clock_name: str, repeats: int) -> tuple[list[Case], list[CUnit]]:
    cases: list[Case] = []
    units: list[CUnit] = []
    a1t = _asn1tools()
    for name, build in messages.BER_MESSAGES.items():
        model = build()
        data = isoill.encode(model)
        label = f"{name} ({len(data)} octets)"
        # Correctness gate: every implementation agrees on the value.
        assert isoill.decode(data) == model, name
        assert reference.decode(data) == model and isoill.decode(reference.encode(model)) == model, name
        ref_dec = ref_enc = None
        if yaz_driver is not None:
            path = workdir / f"{name}.ber"
            path.write_bytes(data)
            dec = Case("ber", label, "decode", "YAZ C (ill_APDU)")
            enc = Case("ber", label, "encode", "YAZ C (ill_APDU)")
            units.append(CUnit([str(yaz_driver), str(path), str(target_ms), clock_name,
                                str(repeats)], {"decode_us": dec, "encode_us": enc}))
            cases += [dec, enc]
            ref_dec, ref_enc = dec.key, enc.key
        cases += [
            Case("ber", label, "decode", "isoill", lambda d=data: isoill.decode(d), ref_dec),
            Case("ber", label, "encode", "isoill", lambda m=model: isoill.encode(m), ref_enc),
            Case("ber", label, "decode", "pyasn1 reference", lambda d=data: reference.decode(d), ref_dec),
            Case("ber", label, "encode", "pyasn1 reference", lambda m=model: reference.encode(m), ref_enc),
        ]
        if a1t is not None:
            value = a1t.decode("ILL-APDU", data)
            assert a1t.decode("ILL-APDU", a1t.encode("ILL-APDU", value)) == value
            cases += [
                Case("ber", label, "decode", "asn1tools (dict)", lambda d=data: a1t.decode("ILL-APDU", d), ref_dec),
                Case("ber", label, "encode", "asn1tools (dict)", lambda v=value: a1t.encode("ILL-APDU", v), ref_enc),
            ]
    return cases, units


# ---- XML ----

def xml_cases() -> list[Case]:
    import xmlschema
    from lxml import etree

    import iso18626
    from iso18626._xml.xsd import validator, xsd_text

    xs = xmlschema.XMLSchema(xsd_text("1.2").decode("utf-8"))
    ns = {"ill": iso18626.NS}
    schema = validator("1.2")
    cases: list[Case] = []
    for label, filename in XML_MESSAGES.items():
        doc = (FIXTURES / filename).read_bytes()
        label = f"{label} ({len(doc)} B)"
        msg = iso18626.parse(doc)
        out = iso18626.serialize(msg)
        root = etree.fromstring(out)
        # Correctness gate: the fixture and our output are schema-valid and round-trip through the model.
        assert schema.validate(etree.fromstring(doc)) and schema.validate(root), filename
        assert iso18626.parse(out) == msg, filename
        text = doc.decode("utf-8")
        as_dict = xs.to_dict(text)
        parse_ref = f"{label} | parse | lxml fromstring"
        ser_ref = f"{label} | serialize | lxml tostring"
        cases += [
            Case("xml", label, "parse", "lxml fromstring", lambda d=doc: etree.fromstring(d), parse_ref),
            Case("xml", label, "parse", "lxml fromstring + validate",
                 lambda d=doc: schema.validate(etree.fromstring(d)), parse_ref),
            Case("xml", label, "parse", "isoill (parse + validate + model)", lambda d=doc: iso18626.parse(d),
                 parse_ref),
            Case("xml", label, "parse", "xmlschema to_dict", lambda s=text: xs.to_dict(s), parse_ref),
            Case("xml", label, "serialize", "lxml tostring", lambda r=root: etree.tostring(r), ser_ref),
            Case("xml", label, "serialize", "isoill (model -> bytes)", lambda m=msg: iso18626.serialize(m), ser_ref),
            Case("xml", label, "serialize", "xmlschema encode + tostring",
                 lambda d=as_dict: _xs_encode(xs, d, ns), ser_ref),
        ]
    return cases


def _xs_encode(xs: Any, d: Any, ns: dict[str, str]) -> bytes:
    import xml.etree.ElementTree as ET

    out: bytes = ET.tostring(xs.encode(d, path="ill:ISO18626Message", namespaces=ns))
    return out


# ---- the interleaved run ----

def run(cases: list[Case], units: list[CUnit], rounds: int, target_ms: float, repeats: int,
        log: Callable[[str], None]) -> None:
    target = target_ms / 1000
    timed = [c for c in cases if c.fn is not None]
    for c in timed:
        assert c.fn is not None
        c.batch = calibrate(c.fn, target)
    items: list[Case | CUnit] = [*timed, *units]
    for r in range(rounds):
        k = r % len(items) if items else 0
        for item in items[k:] + items[:k]:
            if isinstance(item, CUnit):
                out = subprocess.run(item.argv, check=True, capture_output=True, text=True).stdout
                values = json.loads(out)
                for fieldname, case in item.cases.items():
                    case.samples.append(values[fieldname])
            else:
                assert item.fn is not None
                item.samples.append(run_batch(item.fn, item.batch, repeats))
        log(f"  round {r + 1}/{rounds}")
    by_key = {c.key: c for c in cases}
    for c in cases:
        if c.ref is not None and c.ref in by_key:
            ref = by_key[c.ref]
            c.ratios = [a / b for a, b in zip(c.samples, ref.samples, strict=True)]


# ---- framer ----

def framer(total_mb: int, chunk: int) -> dict[str, Any]:
    """Feed a `total_mb` stream of back-to-back APDUs in `chunk`-octet pieces: throughput, then peak memory."""
    from isoill.stream import Framer

    apdus = [isoill.encode(build()) for build in messages.BER_MESSAGES.values()]
    block = b"".join(apdus * (1_000_000 // sum(map(len, apdus)) + 1))
    per_block = len(block) // sum(map(len, apdus)) * len(apdus)
    repeats = max(1, total_mb * 1_000_000 // len(block))
    pieces = [block[i:i + chunk] for i in range(0, len(block), chunk)]  # APDUs straddle the piece boundaries

    def feed_all() -> int:
        f = Framer()
        count = 0
        for _ in range(repeats):
            for piece in pieces:
                count += len(f.feed(piece))
        f.eof()
        return count

    gc.collect()
    t0 = time.perf_counter()
    count = feed_all()
    dt = time.perf_counter() - t0
    assert count == per_block * repeats, (count, per_block * repeats)
    tracemalloc.start()
    tracemalloc.reset_peak()
    feed_all()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    octets = len(block) * repeats
    return {"stream_octets": octets, "chunk_octets": chunk, "apdus": count, "seconds": dt,
            "mb_per_s": octets / dt / 1e6, "apdus_per_s": count / dt, "us_per_apdu": dt / count * 1e6,
            "peak_traced_bytes": peak}


# ---- report ----

def summarise(cases: list[Case]) -> list[dict[str, Any]]:
    rows = []
    for c in cases:
        rows.append({
            "section": c.section, "message": c.message, "op": c.op, "impl": c.impl,
            "median_us": statistics.median(c.samples) if c.samples else None,
            "ratio_to": c.ref.split(" | ")[-1] if c.ref else None,
            "median_ratio": statistics.median(c.ratios) if c.ratios else None,
            "min_ratio": min(c.ratios) if c.ratios else None, "max_ratio": max(c.ratios) if c.ratios else None,
            "batch": c.batch, "samples_us": c.samples, "ratios": c.ratios,
        })
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = []
    order = {"decode": 0, "encode": 1, "parse": 0, "serialize": 1}
    for section, title in (("ber", "ISO 10161 BER (ratio = median of per-round ratios to YAZ's C codec)"),
                           ("xml", "ISO 18626 XML (ratio = median of per-round ratios to lxml fromstring / "
                                   "tostring)")):
        sec = [r for r in rows if r["section"] == section]
        if not sec:
            continue
        lines += ["", title, "",
                  "| message | op | implementation | µs/op | × ref (min–max) |", "|---|---|---|---:|---:|"]
        messages_seen = list(dict.fromkeys(r["message"] for r in sec))  # in run order
        for r in sorted(sec, key=lambda r: (messages_seen.index(r["message"]), order[r["op"]])):
            ratio = (f"{r['median_ratio']:.2f} ({r['min_ratio']:.2f}–{r['max_ratio']:.2f})"
                     if r["median_ratio"] is not None else "–")
            lines.append(f"| {r['message']} | {r['op']} | {r['impl']} | {r['median_us']:.1f} | {ratio} |")
    return "\n".join(lines)


def framer_table(f: dict[str, Any]) -> str:
    return "\n".join([
        "", f"Framer (isoill.stream.Framer): {f['stream_octets'] / 1e6:.0f} MB of back-to-back APDUs fed in "
            f"{f['chunk_octets']}-octet pieces", "",
        "| MB/s | APDUs/s | µs/APDU | peak traced memory |", "|---:|---:|---:|---:|",
        f"| {f['mb_per_s']:.1f} | {f['apdus_per_s']:.0f} | {f['us_per_apdu']:.2f} | "
        f"{f['peak_traced_bytes'] / 1024:.0f} KiB |"])


def environment(yaz: Path | None) -> dict[str, Any]:
    import lxml.etree

    versions = {}
    for dist in ("attrs", "pyasn1", "asn1tools", "lxml", "xmlschema"):
        try:
            from importlib.metadata import version
            versions[dist] = version(dist)
        except Exception:  # noqa: BLE001 - not installed
            versions[dist] = None
    yaz_version = None
    if yaz is not None:
        try:
            yaz_version = subprocess.run(["pkg-config", "--modversion", "yaz"], capture_output=True, text=True,
                                         check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            pass
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"python": sys.version.split()[0], "implementation": platform.python_implementation(),
            "platform": platform.platform(), "cpu": cpu, "cpus": os.cpu_count(), "versions": versions,
            "libxml2": ".".join(map(str, lxml.etree.LIBXML_VERSION)), "yaz": yaz_version}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=15)
    p.add_argument("--target-ms", type=float, default=80.0, help="length of one timed batch")
    p.add_argument("--only", default="ber,xml,framer", help="sections to run (comma separated)")
    p.add_argument("--json", type=Path, default=ROOT / "build" / "bench" / "results.json")
    p.add_argument("--yaz-driver", type=Path, default=DEFAULT_YAZ_DRIVER)
    p.add_argument("--framer-mb", type=int, default=100)
    p.add_argument("--match", default="", help="only cases whose 'message | op | impl' matches this regular "
                   "expression (and the cases their ratios refer to)")
    p.add_argument("--repeats", type=int, default=5, help="parts per batch; the fastest part is the sample")
    p.add_argument("--clock", choices=sorted(CLOCKS), default="cpu", help="process CPU time or wall-clock time")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    global clock
    clock = CLOCKS[args.clock]
    only = set(args.only.split(","))
    log = (lambda s: None) if args.quiet else (lambda s: print(s, file=sys.stderr, flush=True))
    yaz = args.yaz_driver if args.yaz_driver.exists() else None
    if "ber" in only and yaz is None:
        log(f"note: {args.yaz_driver} not built (make bench builds it when libyaz-dev is installed): no C column")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"environment": environment(yaz), "rounds": args.rounds, "target_ms": args.target_ms,
                              "clock": args.clock, "repeats": args.repeats}
    cases: list[Case] = []
    units: list[CUnit] = []
    if "ber" in only:
        c, u = ber_cases(yaz, args.target_ms, args.json.parent, args.clock, args.repeats)
        cases += c
        units += u
    if "xml" in only:
        cases += xml_cases()
    if args.match:
        wanted = {c.key for c in cases if re.search(args.match, c.key)}
        wanted |= {c.ref for c in cases if c.key in wanted and c.ref}
        cases = [c for c in cases if c.key in wanted]
        units = [u for u in units if any(c.key in wanted for c in u.cases.values())]
    if cases:
        log(f"{len(cases)} cases, {args.rounds} rounds of ~{args.target_ms:g} ms batches")
        run(cases, units, args.rounds, args.target_ms, args.repeats, log)
    result["rows"] = rows = summarise(cases)
    text = table(rows)
    if "framer" in only:
        log("framer ...")
        result["framer"] = f = framer(args.framer_mb, 65536)
        text += "\n" + framer_table(f)
    print(text.lstrip("\n"))
    args.json.write_text(json.dumps(result, indent=1))
    log(f"\nJSON: {args.json}")
    return result


if __name__ == "__main__":
    main()
