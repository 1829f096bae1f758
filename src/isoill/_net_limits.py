"""The resource limits of the ISO 10161 TCP transport, `Limits` (re-exported by `isoill.net`): sizes, timeouts
and connection caps, each with a default a public listener can live with.
"""

from __future__ import annotations

import attrs

from illcore.aio import DEFAULT_DRAIN_TIMEOUT
from isoill.stream import DEFAULT_MAX_APDU_SIZE, DEFAULT_MAX_DEPTH

__all__ = ["Limits"]


@attrs.frozen(kw_only=True)
class Limits:
    """Resource limits of a connection; every one has a default that a public listener can live with.

    `idle_timeout`: seconds a connection may sit between APDUs. `read_timeout`: seconds to receive the rest of
    an APDU once its first octet arrived (a slow sender cannot hold a connection with a trickle).
    `write_timeout`: seconds a reply may take to drain; a connection that exceeds it is aborted (its socket
    closed at once, whatever the peer does). `drain_timeout`: seconds `ILLServer.close()` (and SIGTERM) gives
    the APDUs already received to be answered before the remaining connections are cut.
    `max_apdu_size` / `max_depth`: see `isoill.stream.Framer`.

    `max_connections`: concurrent connections per server. `max_connections_per_address`: the share of one peer
    address once the server is full (below `max_connections` an address may use any free slot). When
    `max_connections` are open, a new connection makes room by closing one that is not running a handler:
    a connection of a crowded address (one holding `max_connections_per_address` or more), else the one idle
    longest. Among the candidates, idle ones (waiting between APDUs) go before those in the middle of an APDU,
    and connections that never completed an APDU before those that did; then the least recently active goes.
    A newcomer from a crowded address only displaces that address's own connections. If nothing may be
    closed, the newcomer is closed at once. So neither idle connections nor one address's trickling ones can
    lock other peers out, and a working client sharing an address with a flood keeps its connection while the
    flood has idle ones (docs/security.md says what a shared address cannot be protected from).
    """

    max_apdu_size: int = DEFAULT_MAX_APDU_SIZE
    max_depth: int = DEFAULT_MAX_DEPTH
    idle_timeout: float = 120.0
    read_timeout: float = 30.0
    write_timeout: float = 30.0
    connect_timeout: float = 10.0
    max_connections: int = 200
    max_connections_per_address: int = 64
    drain_timeout: float = DEFAULT_DRAIN_TIMEOUT
