"""Scoring the platform's signals against the truth: keys, windows, one to one, what cannot be seen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chekara.sim.evaluation import Observed, not_observable_signal_losses, observed_alert, observed_findings, score
from chekara.sim.truth import AnomalyKind, ExpectedSignal, GroundTruth, InjectedAnomaly, read_truth

EPOCH = datetime(2026, 5, 1, 6, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return EPOCH + timedelta(seconds=seconds)


def truth(*expected: ExpectedSignal) -> GroundTruth:
    anomalies = [InjectedAnomaly(f"A{i}", AnomalyKind.route_deviation, e.start_s, e.end_s, {}, expected=(e,))
                 for i, e in enumerate(expected)]
    return GroundTruth("run", 1, EPOCH, 7200, 7000, anomalies, trip_ids={"C01A": 11, "C02A": 12})


def alert(type_: str, start: float, end: float | None, trip: int | None = 11, **keys) -> Observed:
    return Observed("alert", type_, f"alert {type_}", at(start), at(end if end is not None else 7200), trip=trip,
                    **keys)


def deviation(start: float, end: float, convoy: str = "C01A") -> ExpectedSignal:
    return ExpectedSignal("alert", "route_deviation", start, end, convoy_id=convoy)


def test_same_trip_and_overlapping_windows_match_one_to_one():
    evaluation = score(truth(deviation(1000, 1600), deviation(3000, 3500)),
                       [alert("route_deviation", 1020, 1610), alert("route_deviation", 3050, 3500)])
    row = evaluation.row("route_deviation")
    assert (row.tp, row.fp, row.fn, row.precision, row.recall) == (2, 0, 0, 1.0, 1.0)


def test_another_trip_or_a_window_beyond_the_tolerance_is_no_match():
    evaluation = score(truth(deviation(1000, 1600)),
                       [alert("route_deviation", 1000, 1600, trip=12), alert("route_deviation", 1900, 2500)])
    row = evaluation.row("route_deviation")
    assert (row.tp, row.fp, row.fn) == (0, 2, 1)
    assert row.precision == 0.0 and row.recall == 0.0


def test_windows_may_miss_each_other_by_the_tolerance():
    assert score(truth(deviation(1000, 1600)), [alert("route_deviation", 1700, 1800)]).row("route_deviation").tp == 1
    assert score(truth(deviation(1000, 1600)), [alert("route_deviation", 1730, 1800)]).row("route_deviation").tp == 0


def test_one_alert_cannot_count_for_two_anomalies():
    evaluation = score(truth(deviation(1000, 1600), deviation(1100, 1500)), [alert("route_deviation", 1000, 1600)])
    row = evaluation.row("route_deviation")
    assert (row.tp, row.fn) == (1, 1)


def test_per_device_alerts_match_on_the_device_too():
    stop = ExpectedSignal("alert", "unauthorized_stop", 1000, 2500, convoy_id="C01A", device_id="T1")
    evaluation = score(truth(stop), [alert("unauthorized_stop", 1000, 2500, device="T2"),
                                     alert("unauthorized_stop", 1010, 2500, device="T1")])
    row = evaluation.row("unauthorized_stop")
    assert (row.tp, row.fp) == (1, 1) and evaluation.matched[0][1].device == "T1"


def test_a_cameras_alert_matches_the_true_plate_through_its_misreads():
    expected = ExpectedSignal("alert", "undeclared_vehicle", 500, 1100, checkpoint="TORUGART", plate="01123ABC")
    misread = Observed("alert", "undeclared_vehicle", "a", at(500), at(900), checkpoint="TORUGART", plate="O1123A8C")
    other = Observed("alert", "undeclared_vehicle", "b", at(500), at(900), checkpoint="TORUGART", plate="01124ABC")
    evaluation = score(truth(expected), [other, misread])
    assert evaluation.matched[0][1] is misread and evaluation.row("undeclared_vehicle").fp == 1


def test_signals_stamped_by_the_servers_clock_match_on_their_keys_alone():
    expected = ExpectedSignal("alert", "plate_mismatch", 500, 1100, declaration="D-1", checkpoint="OSH", timed=False)
    late = Observed("alert", "plate_mismatch", "a", at(6000), at(6000), declaration="D-1", checkpoint="OSH")
    assert score(truth(expected), [late]).row("plate_mismatch").tp == 1


def test_findings_are_scored_in_rows_of_their_own():
    expected = ExpectedSignal("finding", "weight_discrepancy", 900, 900, declaration="D-1", checkpoint="OSH")
    found = Observed("finding", "weight_discrepancy", "f", at(905), at(905), declaration="D-1", checkpoint="OSH")
    evaluation = score(truth(expected), [found])
    assert evaluation.row("weight_discrepancy", source="finding").tp == 1
    assert evaluation.row("weight_discrepancy", source="alert").tp == 0


def test_a_convoy_whose_trip_was_never_created_cannot_be_matched():
    assert score(truth(deviation(1000, 1600, convoy="C09Z")), [alert("route_deviation", 1000, 1600, trip=None)]
                 ).row("route_deviation").fn == 1


def test_signal_losses_the_server_could_not_sweep_are_counted_apart():
    early = ExpectedSignal("alert", "signal_lost", 100, 7005, convoy_id="C01A", device_id="E")
    late = ExpectedSignal("alert", "signal_lost", 200, 7100, convoy_id="C01A", device_id="T1")
    t = truth(early, late)
    hidden = not_observable_signal_losses(t, caught_up_s=7008, sweep_interval_s=1)
    evaluation = score(t, [alert("signal_lost", 200, 7100, device="T1")], hidden)
    row = evaluation.row("signal_lost")
    assert (row.tp, row.fn, row.not_observable, row.recall) == (1, 0, 1, 1.0)


def test_rows_for_the_main_signals_are_always_there_and_others_appear_when_seen():
    evaluation = score(truth(), [alert("low_battery", 10, 20, device="E")])
    types = [r.type for r in evaluation.rows]
    assert types[:3] == ["route_deviation", "unauthorized_stop", "signal_lost"] and "low_battery" in types
    assert evaluation.row("route_deviation").precision is None and evaluation.row("low_battery").fp == 1


def test_an_alerts_window_starts_where_its_evidence_says_the_situation_began():
    raw = {"id": 7, "type": "signal_lost", "trip_id": 11, "device_id": "T1", "declaration_number": None,
           "checkpoint": None, "raised_at": at(1300).isoformat(), "ended_at": None,
           "evidence": {"last_fix_ts": at(600).isoformat(), "silent_s": 700}}
    observed = observed_alert(raw, at(2000))
    assert (observed.start, observed.end) == (at(600), at(2000))


def test_findings_know_their_checkpoint_through_the_crossing():
    declaration = {"number": "D-1", "crossings": [{"id": 3, "checkpoint": "OSH"}],
                   "findings": [{"id": 1, "kind": "weight_discrepancy", "found_at": at(900).isoformat(),
                                 "crossing_id": 3}]}
    (found,) = observed_findings(declaration)
    assert (found.type, found.checkpoint, found.declaration, found.start) == ("weight_discrepancy", "OSH", "D-1", at(900))


def test_the_truth_file_reads_back_as_written(tmp_path):
    expected = ExpectedSignal("alert", "unauthorized_stop", 1000, 2500, convoy_id="C01A", device_id="T1")
    written = truth(expected)
    written.write(tmp_path / "truth.json")
    back = read_truth(tmp_path / "truth.json")
    assert back.expected() == written.expected() and back.trip_ids == written.trip_ids
    assert back.epoch == EPOCH and back.scenario_end_s == 7200 and back.live_from_s == 7000


def test_risk_rule_hits_match_on_the_declaration_and_the_random_draw_is_no_detection():
    from chekara.sim.evaluation import observed_risk_hits

    expected = ExpectedSignal("risk", "route_deviation", 1000, 1600, declaration="D-1", timed=False)
    verdict = {"declaration_number": "D-1", "assessed_at": at(6000).isoformat(), "hits": [
        {"rule": "route_deviation", "weight": 35, "reason": "left the corridor"},
        {"rule": "random_selection", "weight": 0, "reason": "selected at random"},
        {"rule": "repeat_offender", "weight": 30, "reason": "red before"}]}
    observed = observed_risk_hits(verdict)
    assert [o.type for o in observed] == ["route_deviation", "repeat_offender"]
    evaluation = score(truth(expected), observed)
    assert evaluation.row("route_deviation", source="risk").tp == 1
    assert evaluation.row("route_deviation", source="alert").tp == 0
    assert evaluation.row("repeat_offender", source="risk").fp == 1
    assert evaluation.row("route_deviation", source="risk").name == "Risk rule route_deviation"


def test_a_signal_loss_that_may_have_been_unobservable_still_counts_when_the_platform_caught_it():
    early = ExpectedSignal("alert", "signal_lost", 100, 7005, convoy_id="C01A", device_id="E")
    t = truth(early)
    hidden = not_observable_signal_losses(t, caught_up_s=7008, sweep_interval_s=1)
    row = score(t, [alert("signal_lost", 100, 7005, device="E")], hidden).row("signal_lost")
    assert (row.tp, row.fp, row.not_observable) == (1, 0, 0)


def test_the_scores_read_as_a_markdown_table():
    from chekara.sim.evaluation import markdown_table

    text = markdown_table(score(truth(deviation(1000, 1600)), [alert("route_deviation", 1000, 1600)]))
    assert "| Route deviation | alert: `route_deviation` | 1 | 0 | 0 | 0 | 1.00 | 1.00 |" in text
    assert "| Signal lost | alert: `signal_lost` | 0 | 0 | 0 | 0 | – | – |" in text
