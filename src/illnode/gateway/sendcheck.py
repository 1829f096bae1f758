"""Partner profiles applied when the gateway sends: each outgoing message is checked against its partner's profile
(the directory record's `profile`, `illnode.profiles`) before it is queued; a violation is a typed
`illcore.profiles.ProfileViolation`, and the message is withheld (journalled as such), never sent wrong.

Pure: the service decides what a withheld message means for the transaction (a request: the next supplier).
"""

from __future__ import annotations

from illcore.profiles import ProfileViolation
from illnode import profiles
from illnode.gateway.bridge import Side
from illnode.gateway.core import GatewayConfig, Send, Withheld
from illnode.gateway.state import IDS_10161, IDS_18626
from isoill import Role

__all__ = ["Withheld", "check_send"]


def check_send(config: GatewayConfig, send: Send) -> ProfileViolation | None:
    """The profile violation `send` would commit with its partner, or None (no profile, or none broken)."""
    peer = config.peers.get(send.symbol)
    if peer is None or not peer.profile:
        return None
    try:
        profile = profiles.get(peer.profile)
    except KeyError:  # the directory checks names; a record written by hand may still name none we know
        return None
    if send.protocol == IDS_10161 and profile.iso10161 is not None:
        # to a supplier we are the requester; to a requester, its responder
        sender = Role.REQUESTER if send.to is Side.SUPPLIER else Role.RESPONDER
        found = profile.iso10161.check(send.message, sender=sender)
        name = profile.iso10161.name
    elif send.protocol == IDS_18626 and profile.iso18626 is not None:
        found = profile.iso18626.check(send.message)
        name = profile.iso18626.name
    else:
        return None
    return ProfileViolation(name, found) if found else None
