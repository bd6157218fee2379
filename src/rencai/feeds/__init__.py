"""Monthly data the payment runs check against: social-insurance contributions and departures.

The department feeds (社保, 户籍, ...) implement `source.MonthlySource`; this package ships the
minimal file import (CSV or Excel, layout in docs/feeds.md) with validation, a rejects file and a
load record.
"""
