"""Department data: the monthly files the payment runs check against (social-insurance
contributions and departures, ``load``), and the five department sources — 社保, 税务, 学信,
市场监管, 户籍/公安 — loaded by the data office (``departments``, ``access``), checked against a
case's claims for its reviewers (``claims``) and shown to the talents they are about, who may
dispute a row (``disputes``). Every delivery is a ``source.MonthlySource``; layouts are in
docs/feeds.md.
"""
