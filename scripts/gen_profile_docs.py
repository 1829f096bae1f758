"""Write docs/profiles/<name>.md from the profile data (isoill.profiles, iso18626.profiles, illnode.profiles):
what each profile requires and where each fact comes from. tests/node checks the committed pages match.

Run: PYTHONPATH=src python scripts/gen_profile_docs.py
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from illnode import profiles as registry
from isoill.profiles._profile import Profile as Profile10161

OUT = Path(__file__).resolve().parent.parent / "docs" / "profiles"

INTRO = {
    "alma": "Ex Libris Alma (and Rapido, which crosslink maps to the same vendor) as an ILL partner. Over ISO 10161 "
            "it follows Alma's published ISO ILL profile; over ISO 18626 it behaves as observed by the crosslink "
            "broker's Alma shim. Staff set up the partner record (symbol, host:port) on both sides; Alma creates "
            "a partner itself on the first request it receives.",
    "illiad": "ILLiad's ISO ILL service (ILLiad 9.1+, a Java service): it listens on port 1611, applies the ISO ILL "
              "state tables strictly and retries a failed send. Over ISO 18626 crosslink treats it like Alma "
              "without the note packing.",
    "ipig": "Any peer following the IPIG profile of ISO 10161 (the interoperability profile OCLC, VDX and others "
            "implement): APDU-Delivery-Info in every APDU.",
    "oclc": "OCLC's ILL server over ISO 10161 (the IPIG profile plus OCLC's request extension) and OCLC's ISO 18626 "
            "toolkit conventions.",
    "reshare": "Project ReShare (mod-rs) over ISO 18626: loan conditions and other extensions travel as markers in "
               "the note; long request ids get trimmed.",
    "crosslink": "Index Data's CrossLink broker over ISO 18626: ReShare's note markers, plus its consistency check "
                 "on cancel responses.",
}


def _yes(value: object) -> str:
    return "yes" if value else "no"


def _settings_10161(p: Profile10161) -> list[tuple[str, str, str]]:
    s = p.sources
    rows = [
        ("protocol-version-num", str(p.protocol_version) if p.protocol_version else "any",
         s.get("protocol_version", "")),
        ("transaction-type", p.transaction_type.name.lower() + f" ({int(p.transaction_type)})"
         if p.transaction_type else "any", s.get("transaction_type", "")),
        ("character set", p.charset, s.get("charset", "")),
        ("port", str(p.port) if p.port else "-", s.get("port", "")),
        ("APDU-Delivery-Info in every APDU", _yes(p.delivery_info), s.get("delivery_info", "")),
        ("APDU-Delivery-Info aliases", "allowed" if p.delivery_info_aliases else "not supported",
         s.get("unsupported", "") if not p.delivery_info_aliases else ""),
        ("longest list", str(p.max_list) if p.max_list else "-", s.get("max_list", "")),
        ("ILL-Answer transaction-results", ", ".join(f"{r.name.lower()} ({int(r)})" for r in sorted(p.answers))
         if p.answers else "any", s.get("answers", "")),
        ("ILL-Request flags that must be FALSE", ", ".join(f.replace("_", "-") for f in p.unsupported) or "-",
         s.get("unsupported", "") if p.unsupported else ""),
        ("strict (refuse a violating APDU)", _yes(p.strict), s.get("strict", "")),
        ("send retries", f"{p.retries[0]} over {p.retries[1] / 3600:g} h" if p.retries else "-", s.get("retries", "")),
        ("request extensions we add", ", ".join(oid for oid, _ in p.request_extensions) or "-",
         s.get("extensions", "")),
    ]
    return rows


def _settings_18626(p: Any) -> list[tuple[str, str, str]]:
    s = p.sources
    return [
        ("version we write", p.version + (" (it documents 1.1, read here as 1.2)" if p.name == "alma" else ""),
         s.get("version", "")),
        ("its version attribute / prefix", f"{p.version_attribute or '-'} / {p.prefix or '-'}",
         s.get("version_attribute", "")),
        ("ExpectToSupply", "understood" if p.expect_to_supply else "not supported", s.get("expect_to_supply", "")),
        ("empty status on notifications", _yes(p.empty_status), s.get("empty_status", "")),
        ("note shown only on Notification", _yes(p.note_only_on_notification), s.get("notes", "")),
        ("deliveryCosts honoured on", ", ".join(sorted(x.value for x in p.costs_only_on))
         if p.costs_only_on else "any status", s.get("costs", "")),
        ("conditions, costs, addresses as note text", _yes(p.structured_as_note), s.get("structured_as_note", "")),
        ("reasonForMessage per status", ", ".join(f"{k.value}: {v.value}" for k, v in p.reasons.items()) or "-",
         s.get("reasons", "")),
        ("longest requestingAgencyRequestId", str(p.max_request_id) if p.max_request_id else "-",
         s.get("max_request_id", "")),
        ("note markers", ", ".join(f"#{m}#" for m in p.note_markers) or "-", s.get("note_markers", "")),
        ("strict (refuse a violating message)", _yes(p.strict), s.get("strict", "")),
    ]


class _Cite:
    """Numbers sources in order of first use, so tables carry [n] and the page lists each source once."""

    def __init__(self) -> None:
        self.sources: list[str] = []

    def __call__(self, source: str) -> str:
        if not source:
            return "-"
        if source not in self.sources:
            self.sources.append(source)
        return f"[{self.sources.index(source) + 1}]"


def _table(rows: list[tuple[str, str, str]], cite: _Cite) -> list[str]:
    out = ["| setting | value | source |", "| --- | --- | --- |"]
    out += [f"| {a} | {b} | {cite(c)} |" for a, b, c in rows]
    return out


def _rules(rules: tuple[Any, ...], cite: _Cite, sources: dict[str, str]) -> list[str]:
    out = []
    for rule in rules:
        doc = " ".join((rule.__doc__ or "").split())
        source = getattr(sys.modules[rule.__module__], "RULE_SOURCES", {}).get(rule.__name__, "")
        out.append(f"- `{rule.__name__}`: {doc} {cite(source) if source else ''}".rstrip())
    return out


def page(name: str) -> str:
    peer = registry.NAMES[name]
    lines = [f"# Profile `{name}`", "", "<!-- generated by scripts/gen_profile_docs.py from the profile data: edit "
             "the data (or the intro in the script), then re-run it -->", "", INTRO[name], ""]
    lines += [f"Protocols: {', '.join(peer.protocols)}. Check a message with `isoill check --profile {name} FILE`; "
              f"play such a partner with `isoill simulate --profile {name} --scenario S --port P`.", ""]
    cite = _Cite()
    p10 = peer.iso10161
    if p10 is not None:
        lines += ["## ISO 10161", "", f"`isoill.profiles.PROFILES[{name!r}]`.", ""]
        lines += _table(_settings_10161(p10), cite) + [""]
        from isoill.profiles._profile import EVERY_SERVICE

        if p10.services != EVERY_SERVICE:
            lines += ["Services (an APDU not listed is not used by this peer; Status-Or-Error-Report is always "
                      "allowed, being how any peer reports an error):", "",
                      "| service | sent by | use | required components | source |", "| --- | --- | --- | --- | --- |"]
            for row in p10.services:
                fields = ", ".join(f"`{_asn1(row.apdu, f)}`" for f in row.fields) or "-"
                lines.append(f"| {row.apdu.ASN1_NAME} | {row.sender.value} | {row.use} | {fields} | "
                             f"{cite(row.source)} |")
            lines.append("")
        else:
            lines += ["Services: every service of the standard, sent by the role the standard gives it.", ""]
        if p10.rules:
            lines += ["Rules beside the table:", ""] + _rules(p10.rules, cite, p10.sources) + [""]
    p18 = peer.iso18626
    if p18 is not None:
        lines += ["## ISO 18626", "", f"`iso18626.profiles.PROFILES[{name!r}]`.", ""]
        lines += _table(_settings_18626(p18), cite) + [""]
        if p18.rules:
            lines += ["Rules beside the table:", ""] + _rules(p18.rules, cite, p18.sources) + [""]
    for part in (p10, p18):  # the remaining facts of the profile that no table row showed
        for source in part.sources.values() if part is not None else ():
            cite(source)
    lines += ["## Sources", ""] + [f"{i}. {s}" for i, s in enumerate(cite.sources, 1)] + [""]
    lines += ["Facts marked UNVERIFIED come from the set-up guides only; see `../shared/research/` notes "
              "(ill-systems.md, iso10161.md, iso18626.md) for the evidence behind each source.", ""]
    return "\n".join(lines)


def _asn1(apdu: Any, attribute: str) -> str:
    from isoill.profiles import asn1_path

    return asn1_path(apdu, attribute).split(".", 1)[1]


def pages() -> dict[str, str]:
    return {f"{name}.md": page(name) for name in registry.NAMES}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for filename, text in pages().items():
        (OUT / filename).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
