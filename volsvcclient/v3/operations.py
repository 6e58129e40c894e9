"""``volume service wait`` and ``check`` for Block Storage API v3: they add
the --cluster selector (3.7)."""

from volsvcclient.v2 import operations as v2


class CheckService(v2.CheckService):
    clusters = True


class WaitService(v2.WaitService):
    clusters = True
