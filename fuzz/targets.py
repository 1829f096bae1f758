"""Fuzz targets: feed one input to a decoder and classify the outcome.

Each `check_*` returns "ok" (a value came out) or "refused" (the package's typed error), and raises `Finding`
for anything else: an untyped exception, a typed error that merely wraps one (isoill's codec turns an
unexpected IndexError or RecursionError into a DecodeError with the original as `__cause__`: a bug all the
same), or a broken invariant (framing that depends on how the stream was chunked, a decoded APDU that does not
survive re-encoding, a lenient read whose kept extras cannot be written back).
"""

from __future__ import annotations

import warnings

import iso18626
import isoill
from isoill.stream import Framer, FramingError


class Finding(Exception):
    """A fuzz input made a decoder misbehave. `kind` names the check; the cause is chained."""

    def __init__(self, kind: str, detail: str) -> None:
        self.kind = kind
        self.detail = detail
        super().__init__(f"{kind}: {detail}")


def _masked(exc: BaseException) -> BaseException | None:
    """The untyped exception a typed error was built from, if any (a bug the wrapper hid)."""
    cause = exc.__cause__
    while cause is not None:
        if not isinstance(cause, (isoill.ILLError, iso18626.ISO18626Error)):
            return cause
        cause = cause.__cause__
    return None


def check_ber(data: bytes, *, roundtrip: bool = True) -> str:
    """isoill.decode: an APDU or DecodeError. A decoded APDU must re-encode and decode to an equal value."""
    try:
        apdu = isoill.decode(data)
    except isoill.DecodeError as exc:
        cause = _masked(exc)
        if cause is not None:
            raise Finding("ber-masked", f"DecodeError wrapping {type(cause).__name__}: {cause}") from cause
        return "refused"
    except Exception as exc:
        raise Finding("ber-untyped", f"{type(exc).__name__}: {exc}") from exc
    if roundtrip:
        # What was accepted must be forwardable: nothing lost between decode and encode.
        try:
            again = isoill.decode(isoill.encode(apdu, check=False))
        except Exception as exc:
            raise Finding("ber-roundtrip", f"re-encoding an accepted APDU failed: {type(exc).__name__}: {exc}"
                          ) from exc
        if again != apdu:
            raise Finding("ber-roundtrip", "decode(encode(decode(x))) differs from decode(x)")
    return "ok"


# Small limits so that the mutations actually reach them.
FRAMER_MAX_SIZE = 4096
FRAMER_MAX_DEPTH = 16


def _frame(data: bytes, step: int) -> tuple[list[bytes], str | None]:
    framer = Framer(max_size=FRAMER_MAX_SIZE, max_depth=FRAMER_MAX_DEPTH)
    out: list[bytes] = []
    try:
        for i in range(0, len(data), step):
            out += framer.feed(data[i:i + step])
        framer.eof()
    except FramingError as exc:
        cause = _masked(exc)
        if cause is not None:
            raise Finding("framer-masked", f"FramingError wrapping {type(cause).__name__}") from cause
        return out, "error"
    except Exception as exc:
        raise Finding("framer-untyped", f"{type(exc).__name__}: {exc}") from exc
    return out, None


def check_framer(data: bytes, *, step: int = 7, decode: bool = True) -> str:
    """Framer: whole APDUs or FramingError, the same whether fed at once or in `step`-octet chunks.

    The APDUs returned must be the stream's own octets back to back; each then goes through `check_ber`.
    """
    whole, err_whole = _frame(data, max(1, len(data)))
    chunked, err_chunked = _frame(data, step)
    if (err_whole is None) != (err_chunked is None):
        raise Finding("framer-chunking", f"one-shot verdict {err_whole}, chunked verdict {err_chunked}")
    if not data.startswith(b"".join(chunked)):
        raise Finding("framer-octets", "returned APDUs are not the stream's own octets")
    if decode:
        for apdu in chunked:
            check_ber(apdu)
    if whole != chunked:
        # The shape of the fixed finding "framer-drops-apdus-on-error" (feed() raising FramingError used to
        # discard the APDUs completed earlier in the same call): one-shot feeding returned fewer APDUs.
        lost = err_whole is not None and chunked[:len(whole)] == whole
        raise Finding("framer-drops-apdus-on-error" if lost else "framer-chunking",
                      f"{len(whole)} APDUs one-shot, {len(chunked)} chunked")
    return "refused" if err_whole else "ok"


def check_xml(data: bytes, *, emit: bool = True) -> str:
    """iso18626: strict parse, then lenient read: a message or ISO18626Error each. A lenient read's message
    (with its kept unknown elements) must be writable back with extras="emit", or refused with SerializeError.
    """
    verdict = "refused"
    try:
        iso18626.parse(data, strict=True)
        verdict = "ok"
    except iso18626.ISO18626Error as exc:
        cause = _masked(exc)
        if cause is not None:
            raise Finding("xml-masked", f"ISO18626Error wrapping {type(cause).__name__}") from cause
    except Exception as exc:
        raise Finding("xml-strict-untyped", f"{type(exc).__name__}: {exc}") from exc
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = iso18626.read(data, strict=False)
    except iso18626.ISO18626Error:
        return verdict
    except Exception as exc:
        raise Finding("xml-lenient-untyped", f"{type(exc).__name__}: {exc}") from exc
    if emit:
        try:
            iso18626.serialize(result.message, version=result.version if result.version != "1.1" else "1.2",
                               extras="emit")
        except iso18626.SerializeError:
            pass
        except Exception as exc:
            raise Finding("xml-serialize-untyped", f"{type(exc).__name__}: {exc}") from exc
    return "ok"


# Open findings, each tracked by an xfail(strict=True) test: `make fuzz` lists them apart from new ones.
# None is open: "framer-drops-apdus-on-error" was fixed (tests/iso10161/test_hostile_ber.py keeps its regression test).
KNOWN: dict[str, str] = {}

TARGETS = {"ber": check_ber, "framer": check_framer, "xml": check_xml}
FORMATS = {"ber": "ber", "framer": "ber", "xml": "xml"}
