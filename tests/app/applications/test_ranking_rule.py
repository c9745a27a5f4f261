"""The ranking rule on plain data: ties, incomplete and withdrawn applications, the budget line with skips."""

from __future__ import annotations

from app.applications.ranking import Application, Criterion, rank

CRITERIA = [Criterion("K1", "Fachplan", 60), Criterion("K2", "Bedarf", 40)]


def app(
    id_: str, cents: int, k1: dict[str, int], k2: dict[str, int], status: str = "in-pruefung"
) -> Application:
    return Application(id_, f"Projekt {id_}", "T-1", cents, status, {"K1": k1, "K2": k2})


def by_id(result: object) -> dict[str, dict[str, object]]:
    return {i["antrag"]: i for i in result.to_json()["items"]}  # type: ignore[attr-defined]


def test_total_is_weighted_mean_of_reviewers_scaled_to_100() -> None:
    # K1 mean (4+5)/2 = 4.5 → 60 × 4.5/5 = 54; K2 mean 3 → 40 × 3/5 = 24; total 78
    result = rank(2027, 10_000_00, CRITERIA, [app("A", 100, {"a": 4, "b": 5}, {"a": 3, "b": 3})])
    item = by_id(result)["A"]
    assert item["punkte"] == 78.0 and item["rang"] == 1 and item["im_budget"] is True


def test_a_missing_reviewer_is_left_out_of_the_mean() -> None:
    result = rank(2027, 10_000_00, CRITERIA, [app("A", 100, {"a": 5}, {"a": 0, "b": 5})])
    assert by_id(result)["A"]["punkte"] == 80.0  # 60 × 5/5 + 40 × 2.5/5


def test_ties_go_to_the_smaller_sum_then_the_id_and_compare_two_decimals() -> None:
    same = ({"a": 4}, {"a": 4})
    applications = [
        app("AN-3", 500, *same),
        app("AN-2", 400, *same),
        app("AN-1", 500, *same),
        # 80.001 and 80.0 are equal to two decimals: the smaller sum wins
        Application("AN-0", "x", "T-1", 300, "in-pruefung", {"K1": {"a": 4}, "K2": {"a": 4}}),
    ]
    result = rank(2027, 10_000_00, CRITERIA, applications)
    assert [i.application.id for i in result.ranked] == ["AN-0", "AN-2", "AN-1", "AN-3"]
    assert [i.rank for i in result.ranked] == [1, 2, 3, 4]


def test_two_decimal_comparison_ignores_differences_below_a_hundredth() -> None:
    k = [Criterion("K1", "a", 100)]
    low = Application("A", "a", "T", 100, "in-pruefung", {"K1": {"a": 4}})  # 80.0
    high = Application("B", "b", "T", 900, "in-pruefung", {"K1": {str(i): 4 for i in range(333)} | {"x": 5}})
    # B: mean (4×333+5)/334 → 80.0599 → 80.06 > 80.00: B first despite its larger sum
    assert [i.application.id for i in rank(2027, 10_000, k, [high, low]).ranked] == ["B", "A"]
    tiny = Application("D", "d", "T", 900, "in-pruefung", {"K1": {str(i): 4 for i in range(5000)} | {"x": 5}})
    # D: 80.004 → 80.00 = A's total: a tie, so the smaller sum (A) goes first
    result = rank(2027, 10_000, k, [tiny, low])
    assert [i.application.id for i in result.ranked] == ["A", "D"]
    assert result.ranked[1].total is not None and result.ranked[1].total > result.ranked[0].total  # type: ignore[operator]


def test_unscored_criterion_and_withdrawn_are_not_ranked_but_listed() -> None:
    applications = [
        app("A", 100, {"a": 5}, {}),  # K2 nobody scored
        app("B", 100, {"a": 1}, {"a": 1}, status="zurueckgezogen"),
        app("C", 100, {"a": 1}, {"a": 1}),
        Application("D", "draft", "T-1", 100, "entwurf", {}),  # an online draft is not part of the cycle
    ]
    result = by_id(rank(2027, 10_000_00, CRITERIA, applications))
    assert set(result) == {"A", "B", "C"}
    assert (result["A"]["rang"], result["A"]["punkte"], result["A"]["im_budget"]) == (None, None, None)
    assert (result["B"]["rang"], result["B"]["status"]) == (None, "zurückgezogen")
    assert result["C"]["rang"] == 1


def test_budget_line_skips_what_does_not_fit_and_fills_with_smaller_ones() -> None:
    applications = [
        app("A", 60_000_00, {"a": 5}, {"a": 5}),  # 100 → fits (60k)
        app("B", 50_000_00, {"a": 5}, {"a": 4}),  # 92 → 110k > 100k: over budget
        app("C", 30_000_00, {"a": 4}, {"a": 4}),  # 80 → 90k fits
        app("D", 20_000_00, {"a": 3}, {"a": 3}),  # 60 → 110k over
        app("E", 10_000_00, {"a": 2}, {"a": 2}),  # 40 → 100k fits exactly
    ]
    result = rank(2027, 100_000_00, CRITERIA, applications)
    assert [(i.application.id, i.in_budget) for i in result.ranked] == [
        ("A", True),
        ("B", False),
        ("C", True),
        ("D", False),
        ("E", True),
    ]
    assert result.used_cents == 100_000_00


def test_disagreement_is_flagged_per_criterion_at_a_spread_of_three() -> None:
    result = by_id(rank(2027, 1, CRITERIA, [app("A", 100, {"a": 1, "b": 4}, {"a": 2, "b": 4})]))
    assert result["A"]["uneinig"] == ["K1"]  # 4-1 = 3 flagged; 4-2 = 2 not


def test_json_has_exactly_the_documented_shape() -> None:
    out = rank(2027, 5, CRITERIA, [app("A", 100, {"a": 1}, {"a": 1})]).to_json()
    assert set(out) == {"jahr", "budget_cents", "items"}
    assert set(out["items"][0]) == {
        "antrag", "titel", "traeger", "rang", "punkte", "summe_cents", "im_budget", "status", "uneinig"
    }  # fmt: skip
    assert out["items"][0]["im_budget"] is False  # 100 cents > 5 cents budget
