"""Camera reads and the vehicles they stand for: what a misread should make the platform do, and what it did.

A read the plate's format can take back (sim.plates) must be matched to its
vehicle. A read no format can take back is another plate, or none: the
platform must match it to no vehicle, and does with it what it does with an
unknown plate (services.crossings):

- at an entry camera it opens a crossing under the plate as read and raises
  ``undeclared_vehicle`` (keyed by the checkpoint and that plate). The
  driver hands the declaration to the officer at the documents check, who
  links it (sim.crossing), and the platform, comparing the camera's plate
  with the declared one, raises ``plate_mismatch``: until someone looks, a
  misread and another truck are the same thing. Its risk rule
  ``plate_mismatch`` then hits the declaration. The weighbridge operator
  types the plate he sees, which the linked declaration names: the
  crossing goes on;
- at an exit camera it raises ``exit_without_release`` ("seen leaving,
  never seen entering", keyed by the checkpoint and the plate as read), and
  the gate officer records the vehicle's exit by hand. Unless the read
  still stands for a plate the crossing is known by (exit_closes_crossing):
  the exit camera misread the plate exactly as the entry camera did (the
  same dirt, the same bolt), or the entry read, matching nothing, fits no
  format and stands for the exit read. Then the read closes the crossing.

misread_anomalies() writes these down as ``plate_misread`` anomalies;
read_outcomes() scores every read from the platform's answers to the posts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from chekara.domain.plates import KnownVehicle, PlateError, match_vehicle, normalize_plate

from .model import Action, CameraRead, OfficerStep
from .truth import AnomalyKind, ExpectedSignal, InjectedAnomaly

#: How long an unknown plate's alert is expected to stand: up to the documents check, seconds.
ALERT_WINDOW_S = 600.0


def canonical_plate(text: str) -> str:
    """The plate as the platform normalises it, or the text as read when no format takes it."""
    try:
        return normalize_plate(text)
    except PlateError:
        return text


def exit_closes_crossing(exit_text: str, stored_plate: str, declared_plates: list[str], matched_at_entry: bool) -> bool:
    """Whether an exit read stands for the vehicle of its crossing, by the platform's rule
    (domain.plates.match_vehicle): the crossing is known by the plate it was opened under, its
    declaration's, and (when its entry read matched no declaration) that read.

    Every plate of a scenario has its own digit block (sim.plates), so no other crossing's plate ties."""
    vehicle = KnownVehicle((stored_plate, *declared_plates), None if matched_at_entry else stored_plate)
    return match_vehicle(exit_text, [vehicle]) is not None


def misread_anomalies(actions: list[Action], anomalies: list[InjectedAnomaly],
                      latest_s: float) -> list[InjectedAnomaly]:
    """The anomalies with one ``plate_misread`` per unrecoverable read up to latest_s.

    A walk-in's or swapped truck's entry read already expects an
    ``undeclared_vehicle``: misread, the platform knows it by the plate as
    read, so that expectation takes the misread plate instead.
    """
    steps = {(a.crossing, a.step): a.t_s for a in actions if isinstance(a, OfficerStep)}
    out = list(anomalies)
    for read in sorted((a for a in actions if isinstance(a, CameraRead)), key=lambda a: a.t_s):
        if read.misread != "unrecoverable" or read.t_s > latest_s:
            continue
        if read.closes_its_crossing:  # an exit read that still stands for its vehicle: nothing to expect
            continue
        as_read = canonical_plate(read.plate_text)
        end = read.t_s + ALERT_WINDOW_S
        if read.direction == "exit":
            out.append(InjectedAnomaly(
                "", AnomalyKind.plate_misread, read.t_s, end, {}, checkpoint=read.checkpoint,
                expected=(ExpectedSignal("alert", "exit_without_release", read.t_s, end, checkpoint=read.checkpoint,
                                         plate=as_read),),
            ))
            continue
        linked = steps.get((read.crossing, "documents_checked"), float("inf")) <= latest_s
        if read.declaration is None:  # a walk-in or a swapped truck: its anomaly expects the unknown plate
            out = [_expecting_plate(a, read, as_read, linked) for a in out]
            continue
        expected = [ExpectedSignal("alert", "undeclared_vehicle", read.t_s, end, checkpoint=read.checkpoint,
                                   plate=as_read)]
        if linked:
            expected.append(ExpectedSignal("alert", "plate_mismatch", read.t_s, end, declaration=read.declaration,
                                           checkpoint=read.checkpoint, timed=False))
        out.append(InjectedAnomaly("", AnomalyKind.plate_misread, read.t_s, end, {}, declaration=read.declaration,
                                   checkpoint=read.checkpoint, expected=tuple(expected)))
    return out


def _expecting_plate(anomaly: InjectedAnomaly, read: CameraRead, as_read: str, linked: bool) -> InjectedAnomaly:
    """A walk-in's or swapped truck's anomaly, its unknown plate as misread; the officer linking its declaration
    (the broker's, filed with the true plate) then makes a plate mismatch, which a swap expects already."""
    if not any((e.type, e.checkpoint, e.plate) == ("undeclared_vehicle", read.checkpoint, read.plate)
               for e in anomaly.expected):
        return anomaly
    expected = [replace(e, plate=as_read) if e.type == "undeclared_vehicle" else e for e in anomaly.expected]
    if linked and anomaly.declaration and not any(e.type == "plate_mismatch" and e.source == "alert" for e in expected):
        expected.append(ExpectedSignal("alert", "plate_mismatch", read.t_s, read.t_s + ALERT_WINDOW_S,
                                       declaration=anomaly.declaration, checkpoint=read.checkpoint, timed=False))
    return replace(anomaly, expected=tuple(expected))


# ---- what the platform did with each read ----------------------------------------------------------------

#: A read's outcome: matched to its own vehicle, to no vehicle, or to another vehicle.
RIGHT, NONE, WRONG = "right vehicle", "no match", "wrong vehicle"
#: Rows of the table, in order: the read's kind, and reads of vehicles no declaration named when they arrived.
READ_KINDS = ("clean", "recoverable", "unrecoverable")
UNKNOWN_VEHICLE = "unknown vehicle"
READ_KIND_NAMES = {
    "clean": "read as printed (Cyrillic, spaces, markers)",
    "recoverable": "misread, the format takes it back",
    "unrecoverable": "misread, no format can take it back",
    UNKNOWN_VEHICLE: "entry reads of a vehicle no declaration names (walk-in, swapped truck)",
}


@dataclass(frozen=True)
class ReadOutcome:
    crossing: str  # the scenario's crossing key
    direction: str
    kind: str  # one of READ_KINDS
    plate: str  # the vehicle's canonical plate
    text: str
    outcome: str  # RIGHT, NONE or WRONG
    #: An entry read of a vehicle no declaration named when it arrived: there is nothing to match it to.
    unknown_vehicle: bool = False
    #: What the platform answered: the crossing it put the read in, and that crossing's declaration.
    crossing_id: int | None = None
    declaration: str | None = None

    @property
    def row(self) -> str:
        return UNKNOWN_VEHICLE if self.unknown_vehicle else self.kind


def read_outcome(read: CameraRead, answer: dict[str, Any], entry_crossing_id: int | None) -> ReadOutcome:
    """Score one read from the platform's answer to its post (the read, and the crossing it is in).

    An entry read is right when its crossing carries the declaration naming
    the vehicle's plate, and matched to no vehicle when it carries none; an
    exit read is right when it closes the crossing the vehicle's entry
    opened, and matched to none when it closes none.
    """
    crossing = answer.get("crossing") or {}
    got_id, got_declaration = crossing.get("id"), crossing.get("declaration_number")
    if read.direction == "entry":
        got, wanted = got_declaration, read.declaration
    else:
        got, wanted = got_id, entry_crossing_id
    outcome = NONE if got is None else RIGHT if got == wanted else WRONG
    return ReadOutcome(read.crossing, read.direction, read.misread, read.plate, read.plate_text, outcome,
                       unknown_vehicle=read.direction == "entry" and read.declaration is None,
                       crossing_id=got_id, declaration=got_declaration)


@dataclass
class ReadScores:
    """Reads per kind and outcome. The goals: every clean or recoverable read of a known vehicle matched to
    it, every unrecoverable one (and every read of an unknown vehicle) to none, except an exit read that
    still stands for a plate its crossing is known by (CameraRead.closes_its_crossing), and none to a wrong vehicle."""

    counts: dict[str, Counter]
    wrong: list[ReadOutcome]
    #: Clean or recoverable reads of a known vehicle that the platform matched to none.
    unmatched: list[ReadOutcome]

    @property
    def wrong_matches(self) -> int:
        return len(self.wrong)


def score_reads(outcomes: list[ReadOutcome]) -> ReadScores:
    counts: dict[str, Counter] = {k: Counter() for k in (*READ_KINDS, UNKNOWN_VEHICLE)}
    wrong, unmatched = [], []
    for o in outcomes:
        counts[o.row][o.outcome] += 1
        if o.outcome == WRONG:
            wrong.append(o)
        elif o.outcome == NONE and o.row in ("clean", "recoverable"):
            unmatched.append(o)
    return ReadScores(counts, wrong, unmatched)


def read_table(scores: ReadScores) -> str:
    """The reads per kind and outcome as a Markdown table."""
    lines = [f"| camera reads | reads | {RIGHT} | {NONE} | {WRONG} |", "|---|--:|--:|--:|--:|"]
    for kind in (*READ_KINDS, UNKNOWN_VEHICLE):
        c = scores.counts[kind]
        lines.append(f"| {READ_KIND_NAMES[kind]} | {sum(c.values())} | {c[RIGHT]} | {c[NONE]} | {c[WRONG]} |")
    return "\n".join(lines) + "\n"
