"""The published figures 人才统计: one function per figure, each for a past date.

Every function takes ``as_of`` (a civil date at the office) and reads only what had been
recorded by the end of that day: events and journal entries by their instant, feed rows by the
instant their load was recorded, a talent's facts from the profile snapshot taken when the case
behind the card was submitted. The same call on the same data gives the same table, whatever
happened afterwards (decision 0133). Where a table records no history, the figure says so
(decision 0134).

The figures and the clauses they answer:

- 001 (2022 工作总结): "将2869家用人单位按照五大产业科学分类…为人才动态管理、流向分析…提供数据
  支撑" — talents by industry (the 五大主导产业 and others), degree, county, tier, source; and
  the card-use figures (公交、地铁、就医预约 人次) — card uses by service type, point, month.
- 003 §17 (石字〔2021〕7号 第17条): "将人才净流入率、人才发展主要指标纳入经济社会发展统计公报内容。
  做好全市人才资源统计工作" — inflow, outflow and 人才净流入率; the talent stock figures.
- 003 §17 "加强高层次人才支持资金监管和绩效考核" — money committed, paid, held, recovered,
  written off, against budget.
"""

# Each module registers its figures on import; the catalogue lists them in this order.
# isort: off
from rencai.analytics.figures import talents, applications, card_uses, money, flows  # noqa: F401

# isort: on
from rencai.analytics.figures.catalogue import FIGURES, Figure, compute, figure
from rencai.analytics.figures.labels import DIMENSIONS, TIER_LABELS

__all__ = ["DIMENSIONS", "FIGURES", "TIER_LABELS", "Figure", "compute", "figure"]
