"""The decisions the PostgreSQL run makes in SQL are ``ledger.decision.decide`` (decision 0263).

Every combination of the facts a due line can have — each check, the order in which they apply,
one-off and recurring lines, no / one / several contribution employers (the new employer named
is the least, as ``min`` gives it, whatever the database's collation), an amount awaiting the
administrator — is decided by ``decide`` and by the SQL of ``ledger.run_sql`` on PostgreSQL:
decision, reason (Chinese, with the period's month) and the new employer must be the same.
"""

from __future__ import annotations

import datetime as dt
import itertools

from rencai.db.session import engine_for
from rencai.ledger.decision import LineFacts, decide
from rencai.ledger.run_sql import decision_columns

HOLD = "存在待收回款项，暂停向该人员发放（石字〔2021〕7号第17条）"
EMPLOYER = "91130100MA0000001X"
EMPLOYER_SETS: tuple[frozenset[str], ...] = (
    frozenset(),
    frozenset({EMPLOYER}),
    frozenset({"91130100MA0000002Y"}),
    # several: the least by code point ("B" < "a"; a linguistic collation says otherwise)
    frozenset({"a130100MA0000003Z", "B130100MA0000004Q", EMPLOYER}),
    frozenset({"a130100MA0000003Z", "B130100MA0000004Q"}),
)


def _all_facts() -> list[LineFacts]:
    facts = []
    for n, (excluded, blocked, amount, recurring, loaded, employers, employer, payee) in enumerate(
        itertools.product(
            (None, "就高原则：已享受总额更高的项目（发放计划 7，总额180000.00元）"),
            (False, True),
            (None, 300_000),
            (False, True),
            (False, True),
            EMPLOYER_SETS,
            (None, "", EMPLOYER),
            (False, True),
        )
    ):
        facts.append(
            LineFacts(
                period=dt.date(2024 + n % 3, 1 + n % 12, 1),
                recurring=recurring,
                amount_fen=amount,
                excluded=excluded,
                receivable_open=blocked,
                contributions_loaded=loaded,
                contribution_employers=employers,
                employer=employer,
                has_payee=payee,
            )
        )
    return facts


def test_the_sql_decisions_are_those_of_decide(db_url: str) -> None:
    facts = _all_facts()
    expected = [decide(f, receivable_hold=HOLD) for f in facts]
    assert {v.decision for v in expected} == {"pay", "hold", "lapse", "exclude"}
    assert len({v.reason for v in expected}) >= 8  # every check's reason, several months
    with engine_for(db_url).connect() as connection:
        connection.exec_driver_sql(
            "CREATE TEMP TABLE facts (n integer, period date, recurring boolean, amount bigint, "
            'excluded text, blocked boolean, loaded boolean, employers text[] COLLATE "und-x-icu", '
            "employer text, "
            "has_payee boolean)"
        )
        raw = connection.connection.driver_connection
        with raw.cursor().copy("COPY facts FROM STDIN") as copy:  # type: ignore[union-attr]
            for n, f in enumerate(facts):
                copy.write_row(
                    (
                        n,
                        f.period,
                        f.recurring,
                        f.amount_fen,
                        f.excluded,
                        f.receivable_open,
                        f.contributions_loaded,
                        # none: NULL, as the run's outer join gives it (or an empty array)
                        sorted(f.contribution_employers) or (None if n % 2 else []),
                        f.employer,
                        f.has_payee,
                    )
                )
        rows = connection.exec_driver_sql(
            f"SELECT n, {decision_columns('f')} FROM facts AS f ORDER BY n",
            {"receivable_hold": HOLD},
        ).all()
    assert len(rows) == len(facts)
    for (n, decision, reason, new_employer), verdict in zip(rows, expected, strict=True):
        assert (decision, reason, new_employer) == tuple(verdict), (n, facts[n])
