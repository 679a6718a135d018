"""Which way a vehicle travels through a checkpoint, from its declaration.

A camera knows only whether a vehicle passes its gate into or out of the
checkpoint area (a plate read's ``entry``/``exit``); which way the vehicle
is *travelling* comes from the declaration it carries:

- ``inbound``: the checkpoint is the declaration's entry checkpoint. At a
  border post that is into Kyrgyzstan (imports, transits coming in); at an
  inland post, where the declaration's control begins (exports declared there).
- ``outbound``: the checkpoint is the declaration's exit checkpoint. At a
  border post, out of Kyrgyzstan (exports, transits going out); at an inland
  post, where the control ends (imports cleared there).
- ``unknown``: no declaration, or one that names neither (a vehicle at the
  wrong checkpoint).

>>> travel_direction(7, entry_checkpoint_id=7, exit_checkpoint_id=3)
<TravelDirection.inbound: 'inbound'>
"""

from __future__ import annotations

from enum import StrEnum


class TravelDirection(StrEnum):
    inbound = "inbound"
    outbound = "outbound"
    unknown = "unknown"


def travel_direction(
    checkpoint_id: int, entry_checkpoint_id: int | None, exit_checkpoint_id: int | None
) -> TravelDirection:
    if checkpoint_id == entry_checkpoint_id:
        return TravelDirection.inbound
    if checkpoint_id == exit_checkpoint_id:
        return TravelDirection.outbound
    return TravelDirection.unknown
