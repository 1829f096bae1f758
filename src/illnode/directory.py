"""The partner directory: who our ILL partners are, how to reach them and which profile they follow, loaded from a
TOML file and kept in the store (documents of kind "partner"), with partners created from a first request.

`Directory.load(path)`, `Directory.from_store(store)`, `.get(symbol)`, `.add(partner)`, `.learn_10161(apdu)`,
`.learn_18626(request)`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

import attrs

from illcore.errors import IsoIllError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = ["DOC_KIND", "PROTOCOLS", "Directory", "DirectoryError", "DocumentStore", "MemoryDocuments", "Partner",
           "system_id_text"]

PROTOCOLS = ("iso10161", "iso18626", "illiad")
DOC_KIND = "partner"


class DirectoryError(IsoIllError):
    """A partner record that cannot be read or kept: the file, the record and the field are named."""


def _protocol(instance: Any, attribute: Any, value: str) -> None:
    if value not in PROTOCOLS:
        raise DirectoryError(f"protocol {value!r}: expected one of {', '.join(PROTOCOLS)}")


def _address(instance: Partner, attribute: Any, value: str) -> None:
    if not value:
        return
    if instance.protocol == "iso10161":
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise DirectoryError(f"address {value!r}: an ISO 10161 partner is reached at HOST:PORT")
    elif not value.startswith(("http://", "https://")):
        raise DirectoryError(f"address {value!r}: an {instance.protocol} partner is reached at an http(s) URL")


@attrs.frozen(kw_only=True)
class Partner:
    """One partner record. `symbol` is how the partner is known (ISO 10161 institution symbol, ISO 18626
    agency id as TYPE:VALUE, ILLiad ISOSystemID); `address` is HOST:PORT (ISO 10161) or a URL; `profile` names
    an `illnode.profiles` entry; `strict` None means the profile's setting; `generated` marks a record made from
    a first request (as Alma does), not by staff."""

    symbol: str
    name: str = ""
    protocol: str = attrs.field(default="iso10161", validator=_protocol)
    address: str = attrs.field(default="", validator=_address)
    profile: str = ""
    charset: str = "utf-8"
    protocol_version: str = ""
    auth_account: str | None = None  # ISO 18626 requestingAgencyAuthentication accountId
    auth_secret: str | None = None   # ... and securityCode
    email: str | None = None
    shipping_address: str | None = None
    return_address: str | None = None
    strict: bool | None = None
    active: bool = True
    generated: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The record as plain JSON/TOML values (absent values left out)."""
        return {k: v for k, v in attrs.asdict(self).items() if v is not None and v != ""}

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, where: str = "partner") -> Partner:
        """A record from a TOML table or store document; unknown keys and wrong types are errors naming them."""
        names = {a.name: a for a in attrs.fields(cls)}
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise DirectoryError(f"{where}: unknown field {unknown[0]!r} (known: {', '.join(names)})")
        if "symbol" not in data:
            raise DirectoryError(f"{where}: no symbol")
        for key, value in data.items():
            want = bool if key in ("strict", "active", "generated") else str
            if want is str and key == "protocol_version" and isinstance(value, int):
                data = {**data, key: str(value)}
            elif not isinstance(value, want):
                raise DirectoryError(f"{where}.{key}: expected {want.__name__}, got {type(value).__name__}")
        try:
            return cls(**data)
        except DirectoryError as exc:
            raise DirectoryError(f"{where}: {exc}") from None


class DocumentStore(Protocol):
    """The document part of the store contract (`illcore.store`): small JSON values by kind and key."""

    def put_doc(self, kind: str, key: str, value: dict[str, Any]) -> None: ...

    def get_doc(self, kind: str, key: str) -> dict[str, Any] | None: ...

    def docs(self, kind: str) -> list[Any]: ...


class MemoryDocuments:
    """An in-memory `DocumentStore` (until `illcore.store` is in main; `open_store("memory:")` replaces it)."""

    def __init__(self) -> None:
        self._docs: dict[tuple[str, str], dict[str, Any]] = {}

    def put_doc(self, kind: str, key: str, value: dict[str, Any]) -> None:
        self._docs[kind, key] = dict(value)

    def get_doc(self, kind: str, key: str) -> dict[str, Any] | None:
        value = self._docs.get((kind, key))
        return dict(value) if value is not None else None

    def docs(self, kind: str) -> list[Any]:
        return [dict(v) for (k, _), v in sorted(self._docs.items()) if k == kind]


def _doc_value(item: Any) -> dict[str, Any]:
    # The store contract's docs(kind) returns the documents; accept (key, value) pairs as well.
    if isinstance(item, tuple) and len(item) == 2:
        return dict(item[1])
    return dict(item)


class Directory:
    """Partner records by symbol (case-insensitive), optionally backed by a `DocumentStore`: records added or
    learnt are written there too, so every process of a node sees them."""

    def __init__(self, partners: Iterable[Partner] = (), *, store: DocumentStore | None = None) -> None:
        self._partners: dict[str, Partner] = {}
        self.store = store
        for partner in partners:
            self._partners[partner.symbol.upper()] = partner

    @classmethod
    def load(cls, path: str | Path, *, store: DocumentStore | None = None) -> Directory:
        """Read a TOML file of `[[partner]]` tables (see docs/connecting-a-partner.md)."""
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise DirectoryError(f"cannot read {path}: {exc.strerror or exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise DirectoryError(f"{path}: not TOML: {exc}") from None
        unknown = sorted(set(data) - {"partner"})
        if unknown:
            raise DirectoryError(f"{path}: unknown table {unknown[0]!r} (partners are [[partner]] tables)")
        tables = data.get("partner", [])
        if not isinstance(tables, list):
            raise DirectoryError(f"{path}: partner must be an array of tables ([[partner]])")
        directory = cls(store=store)
        for i, table in enumerate(tables):
            partner = Partner.from_dict(table, where=f"{path}: partner[{i}]")
            if directory.get(partner.symbol) is not None:
                raise DirectoryError(f"{path}: partner[{i}]: symbol {partner.symbol!r} appears twice")
            directory._partners[partner.symbol.upper()] = partner
        return directory

    @classmethod
    def from_store(cls, store: DocumentStore) -> Directory:
        """The records kept in `store` (documents of kind "partner"); later `add`s are written back."""
        partners = [Partner.from_dict(_doc_value(item), where=f"store document {DOC_KIND}")
                    for item in store.docs(DOC_KIND)]
        return cls(partners, store=store)

    def get(self, symbol: str) -> Partner | None:
        return self._partners.get(symbol.strip().upper())

    def add(self, partner: Partner) -> Partner:
        """Add or replace the record of `partner.symbol` (and keep it in the store, when there is one)."""
        self._partners[partner.symbol.upper()] = partner
        if self.store is not None:
            self.store.put_doc(DOC_KIND, partner.symbol.upper(), partner.to_dict())
        return partner

    def by_address(self, address: str) -> Partner | None:
        """The active partner reached at `address` (HOST:PORT or URL), if any."""
        if not address:
            return None
        for partner in self._partners.values():
            if partner.active and partner.address == address:
                return partner
        return None

    def __iter__(self) -> Iterator[Partner]:
        return iter(sorted(self._partners.values(), key=lambda p: p.symbol.upper()))

    def __len__(self) -> int:
        return len(self._partners)

    def learn(self, symbol: str, *, protocol: str, address: str = "", name: str = "",
              profile: str = "") -> Partner | None:
        """Create a generated record for an unknown peer from its first request (what Alma/Rapido do,
        `rapido_automatically_create_partner`); None when the symbol is known already or empty."""
        if not symbol or self.get(symbol) is not None:
            return None
        return self.add(Partner(symbol=symbol, name=name, protocol=protocol, address=address, profile=profile,
                                generated=True))

    def learn_10161(self, apdu: Any, *, profile: str = "") -> Partner | None:
        """`learn` from an ISO 10161 ILL-Request: its requester-id (symbol and name) and the host:port of its
        APDU-Delivery-Info sender-info."""
        from isoill.extensions.delivery_info import APDUDeliveryInfo, reply_address

        symbol, name = system_id_text(apdu.requester_id)
        info = apdu.extension(APDUDeliveryInfo)
        found = reply_address(info) if info is not None else None
        address = f"{found[0]}:{found[1]}" if found is not None else ""
        return self.learn(symbol, protocol="iso10161", address=address, name=name, profile=profile)

    def learn_18626(self, request: Any, *, profile: str = "") -> Partner | None:
        """`learn` from an ISO 18626 request: its requesting agency (TYPE:VALUE) and requestingAgencyInfo name.
        A request carries no URL for replies, so staff add the address to the generated record."""
        agency = request.header.requesting_agency_id
        info = request.requesting_agency_info
        return self.learn(f"{agency.agency_id_type.value}:{agency.agency_id_value}", protocol="iso18626",
                          name=str(info.name or "") if info is not None else "", profile=profile)


def system_id_text(system_id: Any) -> tuple[str, str]:
    """(symbol, name) of an ISO 10161 System-Id, "" for what it lacks."""
    if system_id is None:
        return "", ""
    symbol = system_id.person_or_institution_symbol
    name = system_id.name_of_person_or_institution
    return (str(symbol.value) if symbol is not None else "", str(name.value) if name is not None else "")
