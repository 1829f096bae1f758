"""The ILL gateway: routes a borrowing request down a rota across ISO 10161 and ISO 18626 partners.

`bridge` (the 10161 <-> 18626 table), the two protocol sides, `rota` (who to ask next) and `core` (the sans-IO
transaction state holder); the node that runs them is `illnode.gateway.node`.
"""

__all__: list[str] = []
