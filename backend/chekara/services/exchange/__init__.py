"""Exchange with the neighbouring customs: partners, event bodies, delivery, pre-arrival notices (docs/EXCHANGE.md).

- ``partners``: registration by an admin, webhooks, the partner behind a token;
- ``bodies``: what an event says about a crossing, a trip, an alert (no personal data);
- ``delivery``: one pass over the webhooks, in order per partner, signed, retried, dead-lettered;
- ``delivery_loop``: the server's thread that runs the passes;
- ``dead_letters``: what an admin inspects and replays;
- ``notices``: pre-arrival notices: taken in, matched to the entry read, checked, swept when not arriving.

The outbox itself is services.outbox.
"""
