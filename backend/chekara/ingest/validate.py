"""Validate: who sent each fix, and whether its time can be believed.

- Credentials (services/devices.py): a fix through /osmand names its device by the identifier
  Chekara issued, which is the secret; a wrong identifier, an unknown one and the id of a
  token-holding device get the same refusal (UNKNOWN_OSMAND_ID, answered 401), nothing is
  stored, and the refusal is counted. A JSON fix names a registered device, and a device-role
  token may post only for the devices it owns.
- Time: a fix stamped more than ctx.max_future ahead of our clock is refused (default 60 s), and
  a device whose fixes keep coming from the future raises a `clock_skew` alert; a fix older
  than the horizon is refused.

The devices' lookup also takes their advisory locks (in pk order, so two batches cannot
deadlock): from here to commit, two batches of one device run one after the other, which
keeps deduplication and detection in order.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import text

from chekara.config import get_settings
from chekara.ingest.batch import Batch, IngestContext
from chekara.ingest.fixes import IncomingFix
from chekara.services import alerts
from chekara.services.devices import ReportingDevice, osmand_id_hash, reporting_devices

#: Namespace of the per-device advisory locks (first key of the two-key form).
DEVICE_LOCK_NAMESPACE = 0x6366  # "cf"
#: The sender of /osmand requests (no token: the issued identifier is the credential).
OSMAND_ROLE = "device-osmand"
#: The one answer to an OsmAnd identifier we did not issue, whatever the reason.
UNKNOWN_OSMAND_ID = "is not a device identifier issued by Chekara"
#: Future-stamped fixes of one device within CLOCK_SKEW_WINDOW that raise a clock_skew alert.
CLOCK_SKEW_FIXES = 3
CLOCK_SKEW_WINDOW = timedelta(minutes=10)

#: Fixes refused in this process, by reason (GET /api/v1/ingest/stats).
refusals: Counter[str] = Counter()
_refusals_lock = threading.Lock()


def _refused(reason: str) -> None:
    with _refusals_lock:
        refusals[reason] += 1


def validate_step(batch: Batch, ctx: IngestContext) -> Batch:
    settings = get_settings()
    osmand_hash = {
        id(f): osmand_id_hash(settings, f.device_id) for f in batch.fixes if batch.actor_of(f).role == OSMAND_ROLE
    }
    by_id, by_osmand = reporting_devices(
        ctx.session, {f.device_id for f in batch.fixes if id(f) not in osmand_hash}, set(osmand_hash.values()),
        lock_namespace=DEVICE_LOCK_NAMESPACE,
    )
    kept: list[IncomingFix] = []
    ahead: dict[ReportingDevice, list[float]] = {}
    for fix in batch.fixes:
        if id(fix) in osmand_hash:
            device = by_osmand.get(osmand_hash[id(fix)])
            if device is None or device.credential != "osmand":
                batch.reject(fix, "id", UNKNOWN_OSMAND_ID)
                _refused("osmand identifier not issued")
                continue
            fix.device_id = device.device_id  # from here on the device is known by its own id
        else:
            device = by_id.get(fix.device_id)
            if device is None:
                batch.reject(fix, "device_id", "unknown device: register it first")
                continue
            actor = batch.actor_of(fix)
            if actor.role == "device" and device.owner != actor.name:
                batch.reject(fix, "device_id", "this token may not post fixes for that device")
                _refused("token not the device owner's")
                continue
        lead_s = (fix.ts - ctx.now).total_seconds()
        if lead_s > ctx.max_future.total_seconds():
            batch.reject(fix, "ts", f"is {lead_s:.0f} s in the future (at most {ctx.max_future.total_seconds():.0f} s "
                                    "are allowed): the device's clock runs ahead")
            ahead.setdefault(device, []).append(lead_s)
            continue
        if fix.ts < ctx.now - ctx.max_age:
            batch.reject(fix, "ts", f"is older than the {ctx.max_age.days}-day horizon")
            continue
        fix.device_pk = device.pk
        kept.append(fix)
    batch.fixes = kept
    if ahead:
        _count_future_fixes(ctx, ahead)
    return batch


def _count_future_fixes(ctx: IngestContext, ahead: dict[ReportingDevice, list[float]]) -> None:
    """Count each device's future-stamped fixes in a sliding window; enough of them is a clock_skew alert."""
    rows = ctx.session.execute(
        text(
            "UPDATE devices d SET"
            " future_fixes = CASE WHEN d.future_since > :window_start THEN d.future_fixes + v.n ELSE v.n END,"
            " future_max_s = CASE WHEN d.future_since > :window_start THEN greatest(d.future_max_s, v.lead) ELSE v.lead END,"
            " future_since = CASE WHEN d.future_since > :window_start THEN d.future_since ELSE CAST(:now AS timestamptz) END"
            " FROM unnest(CAST(:pks AS int[]), CAST(:ns AS int[]), CAST(:leads AS float8[])) AS v(pk, n, lead)"
            " WHERE d.id = v.pk RETURNING d.device_id, d.future_fixes, d.future_since, d.future_max_s"
        ),
        {
            "pks": [d.pk for d in ahead], "ns": [len(v) for v in ahead.values()],
            "leads": [max(v) for v in ahead.values()], "now": ctx.now, "window_start": ctx.now - CLOCK_SKEW_WINDOW,
        },
    )
    for device_id, count, since, lead_s in rows:
        if count >= CLOCK_SKEW_FIXES:
            alerts.raise_alert(
                ctx.session, type="clock_skew", subject=f"device:{device_id}", raised_at=ctx.now, device_id=device_id,
                evidence={"future_fixes": count, "since": since.isoformat(), "max_lead_s": round(lead_s, 1),
                          "allowed_s": ctx.max_future.total_seconds()},
            )
