"""What checking an APDU against a peer profile costs, as a ratio to decoding the same APDU (same run, interleaved):
a gateway checks every APDU it receives, so the check should stay small next to the decode it follows.

    PYTHONPATH=src python benchmarks/profile_check.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable

import isoill
from illnode.dummy import DummyRequest, build_10161
from isoill import Role
from isoill.profiles import ALMA, IPIG


def _per_call(fn: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=2000)
    args = parser.parse_args()
    request = build_10161(DummyRequest(sender="CNO", recipient="01CALS_XYZ", title="A book", author="Someone",
                                       delivery_address="CNO Library, 1 Main St, Northridge CA",
                                       return_address="ill.cno.example.edu:1611"), ALMA,
                          dt.datetime(2026, 1, 2, 3, 4, 5))
    data = isoill.encode(request)
    cases = {"alma check": lambda: ALMA.check(request, sender=Role.REQUESTER),
             "ipig check": lambda: IPIG.check(request)}
    ratios: dict[str, list[float]] = {name: [] for name in cases}
    decode_times = []
    for _ in range(args.rounds):
        for name, fn in cases.items():
            base = _per_call(lambda: isoill.decode(data), args.number)
            ratios[name].append(_per_call(fn, args.number) / base)
            decode_times.append(base)
    print(f"ILL-Request of {len(data)} octets; decode {statistics.median(decode_times) * 1e6:.1f} us (median)")
    for name, values in ratios.items():
        print(f"{name:<12} {statistics.median(values):.2f}x decode  (min {min(values):.2f}, max {max(values):.2f})")


if __name__ == "__main__":
    main()
