"""An audit as JSON-ready data (``gaidocx audit --json``).

The document is the one ``render --json`` writes (``gaidocx.core.records.report_to_data``),
plus what only an audit has: the figures as printed and the problems as placed
in the published report.
"""

from __future__ import annotations

from typing import Any

from gaidocx.audit.audit import Audit, format_audit_problem
from gaidocx.core.records import report_to_data
from gaidocx.core.form import FORM_2021


def _printed(audit: Audit) -> dict[str, Any]:
    """The text of every cell as printed, keyed by the 2021 form's keys; a row the 2021 form does not
    have (the trial format's single （六）其他处理 row) under its labels."""
    official = {
        (FORM_2021.table_of(f.key).number, f.row_label, f.col_label): f.key for f in FORM_2021.fields.values()
    }
    printed: dict[str, str] = {}
    other: dict[str, str] = {}
    for key, figure in audit.printed.items():
        f = audit.layout.fields[key]
        number = audit.layout.table_of(key).number
        same = official.get((number, f.row_label, f.col_label))
        if same is not None:
            printed[same] = figure.text
        else:
            other[f"表{number} {f.labels}"] = figure.text
    return {"printed": printed, "printed_outside_the_form": other}


def audit_to_data(audit: Audit) -> dict[str, Any]:
    data = report_to_data(audit.report, audit.problems)
    data["audit"] = {
        "file": audit.name,
        "layout": "2021" if audit.layout == FORM_2021 else "2021-with-trial-table-3",
        "trial_format_marker": audit.trial_marker,
        **_printed(audit),
        "problems": [
            {
                "severity": problem.severity.value,
                "message": problem.message,
                "places": list(problem.places),
                "text": format_audit_problem(audit, problem),
            }
            for problem in audit.problems
        ],
    }
    return data
