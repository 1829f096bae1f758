"""ILLiad's ISO ILL service (Atlas Systems / OCLC) as an ISO 10161 peer: port 1611, strict state tables (illegal
transitions refused, the request parked in "ISO Attention"), 4 send attempts over an hour, replies to its return
address.
"""

from __future__ import annotations

from isoill.profiles._profile import Profile

NETWORKING = ("Atlas KB 'ISO ILL Networking': port 1611; a failed send is retried 4 times over an hour, then "
              "'ISO Sending Failed'")
STATES = ("Atlas KB 'ISO Illegal State Transitions': ILLiad restricts APDUs by the ISO ILL state tables and moves "
          "a request with an illegal transition (e.g. ILL-Answer Unfilled after Expired) to 'ISO Attention'")
CONFIG = ("set-up guides (CSU 'ISO ILLiad and Rapido'): the partner's ISOSystemID is its symbol; replies go to "
          "ISOReturnIPAddress host:port (config key names UNVERIFIED in public sources)")

ILLIAD = Profile(
    name="illiad",
    title="ILLiad",
    strict=True,
    port=1611,
    retries=(4, 3600.0),
    sources={"port": NETWORKING, "retries": NETWORKING, "strict": STATES, "symbol": CONFIG,
             "return_address": CONFIG},
)
