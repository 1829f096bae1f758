"""The ISO 10161 TCP client (re-exported by `isoill.net`): `ILLConnection` sends APDUs and receives whole ones
as raw octets (a framer, no session: a client decides what to make of a reply), `send_apdus` does one exchange.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from isoill._ber.codec import Codec
from isoill._model.apdus import APDU
from isoill.render import apdu_name, tag_name
from isoill.stream import Framer, FramingError, looks_like_http

if TYPE_CHECKING:
    from isoill.net import Limits

__all__ = ["ILLConnection", "send_apdus"]

log = logging.getLogger("isoill.net")
_READ_CHUNK = 65536


def _name(apdu: APDU | bytes) -> str:
    return tag_name(apdu) if isinstance(apdu, bytes) else apdu_name(apdu)


class ILLConnection:
    """A client connection: send APDUs, receive whole APDUs (raw octets; decode with the codec)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, limits: Limits,
                 codec: Codec) -> None:
        self.reader = reader
        self.writer = writer
        self.limits = limits
        self.codec = codec
        self.framer = Framer(max_size=limits.max_apdu_size, max_depth=limits.max_depth)
        self._pending: list[bytes] = []
        self.closed_by_peer = False
        self.first_octets: bytes | None = None  # the start of what the peer sent (to recognise HTTP)
        self.peer = "{}:{}".format(*(writer.get_extra_info("peername") or ("?", 0))[:2])

    @classmethod
    async def connect(cls, host: str, port: int, *, limits: Limits | None = None,
                      codec: Codec | None = None) -> ILLConnection:
        from isoill.net import Limits

        limits = limits or Limits()
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, limit=_READ_CHUNK),
                                                limits.connect_timeout)
        log.info("%s:%d: connected", host, port)
        return cls(reader, writer, limits, codec or Codec())

    async def send(self, apdu: APDU | bytes) -> None:
        """Send one APDU; bytes are sent exactly as given (several concatenated APDUs are fine too)."""
        data = apdu if isinstance(apdu, bytes) else self.codec.encode(apdu)
        log.info("%s: sent %s (%d octets)", self.peer, _name(apdu), len(data))
        self.writer.write(data)
        await asyncio.wait_for(self.writer.drain(), self.limits.write_timeout)

    async def receive(self, timeout: float) -> bytes | None:
        """The next whole APDU, or None if none arrived within `timeout` seconds or the peer closed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._pending:
            if self.framer.error is not None:  # bad octets after the APDUs already returned
                raise self.framer.error
            if self.closed_by_peer:
                return None
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            try:
                chunk = await asyncio.wait_for(self.reader.read(_READ_CHUNK), remaining)
            except asyncio.TimeoutError:
                return None
            if not chunk:
                log.info("%s: closed by the peer", self.peer)
                self.closed_by_peer = True
                self.framer.eof()
                return None
            if self.first_octets is None:
                self.first_octets = chunk[:16]
            try:
                self._pending += self.framer.feed(chunk)
            except FramingError:
                if looks_like_http(self.first_octets):
                    raise FramingError(f"it answered in HTTP ({self.first_octets!r}...): an HTTP server, not "
                                       "an ISO 10161 peer", offset=0) from None
                raise
        data = self._pending.pop(0)
        log.info("%s: received %s (%d octets)", self.peer, _name(data), len(data))
        return data

    async def close(self) -> None:
        log.info("%s: closed", self.peer)
        self.writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.writer.wait_closed(), 1.0)

    async def __aenter__(self) -> ILLConnection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def send_apdus(host: str, port: int, apdus: Iterable[APDU | bytes], *, wait: float = 2.0,
                     limits: Limits | None = None, codec: Codec | None = None,
                     max_replies: int | None = None) -> list[bytes]:
    """Connect, send the APDUs, collect what the peer sends back within `wait` seconds (or until
    `max_replies` arrived, or the peer closed), close."""
    async with await ILLConnection.connect(host, port, limits=limits, codec=codec) as conn:
        for apdu in apdus:
            await conn.send(apdu)
        replies: list[bytes] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            reply = await conn.receive(max(0.0, deadline - loop.time()))
            if reply is None:
                return replies
            replies.append(reply)
            if max_replies is not None and len(replies) >= max_replies:
                return replies
