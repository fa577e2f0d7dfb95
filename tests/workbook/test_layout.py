"""Naming places for the user: several cells of one column are named together, briefly."""

from __future__ import annotations

from gaidocx.core.checks import paragraph_place
from gaidocx.core.report import AGENCY
from gaidocx.workbook.layout import describe, describe_all


def test_cells_of_one_column_are_named_together():
    places = ("t3.r1.c3", "t3.r2.c3", "t3.r24.c3", "t3.r25.c3")
    assert describe_all(places) == "表三!F7、F8、F30、F31（科研机构）"


def test_one_or_two_places_and_other_places_are_described_in_full():
    assert describe_all(("t3.r1.c7",)) == describe("t3.r1.c7")
    pair = ("t4.r1.c10", "t4.r1.c15")
    assert describe_all(pair) == f"{describe(pair[0])}、{describe(pair[1])}"
    mixed = (paragraph_place("一", 2), "t3.r1.c7", AGENCY)
    assert describe_all(mixed) == "、".join(describe(p) for p in mixed)
    assert describe_all(()) == ""


def test_runs_are_grouped_in_order():
    places = ("t3.r1.c1", "t3.r2.c1", "t3.r3.c1", "t3.r1.c2", "t3.r2.c2", "t3.r3.c2")
    assert describe_all(places) == "表三!D7、D8、D9（自然人）、表三!E7、E8、E9（商业企业）"
