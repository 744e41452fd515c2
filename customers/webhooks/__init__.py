"""Webhooks: an outbox written with each change, and a worker that delivers it.

models: the webhooks and their messages (the outbox); outbox: what a change enqueues, in the
change's own transaction; registry: adding and removing webhooks; claims: taking a message to
deliver (leases), and recording how it went; delivery: the signed POST; worker: the long-running
process; queue: what is waiting, for `webhooks deliveries` and /metrics; cli: the commands.
"""
