"""A reform is data: named changes to dated parameters and switches of whole rules.

A reform (YAML, or a saved row) names the jurisdiction's parameters it changes — each from a day,
optionally until a day, to a new value — and the rules it switches: a benefit off (or on again)
and an exclusivity group from 就高 to both. It is applied with OpenFisca's own reform mechanism:
``Reform.modify_parameters`` for the parameters, ``neutralize_variable`` / ``replace_variable``
for the rules, on the jurisdiction's system. Reforms stack in order; two changes to the same
parameter over overlapping days, or two switches of the same rule, are a conflict that is
reported, never merged.

A run's baseline may be the law as it stood on a day (``baseline: 2021-02-09``): every value
dated after that day is set aside, so that a later document can be expressed as a reform over
the law before it (the 2021 validation: 石字〔2021〕7号 over the 2017 amounts).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import yaml
from openfisca_core.parameters import Parameter, ParameterNode
from openfisca_core.periods import DAY, instant
from openfisca_core.reforms import Reform as OpenFiscaReform
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

from rencai.errors import Refusal
from rencai.policy.cities import registry
from rencai.policy.engine.model import Person
from rencai.policy.engine.system import JurisdictionSystem, system_for

DEFAULT_JURISDICTION = "shijiazhuang"


class ReformError(Refusal):
    """A reform that cannot be applied, with every problem found (``problems``)."""

    def __init__(self, problems: Sequence[Refusal]):
        first = problems[0]
        super().__init__(first.field, first.message, first.code)
        self.problems = list(problems)

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(),
            "problems": [p.as_dict() for p in self.problems],
        }

    def one_line(self) -> str:
        return "；".join(p.message for p in self.problems)


@dataclass(frozen=True)
class ParameterChange:
    """A dated parameter set to ``value`` from ``start`` (until ``stop``, inclusive; open if
    None). A value of None takes the parameter out of force over those days."""

    path: str
    start: dt.date
    value: Any
    stop: dt.date | None = None

    @property
    def key(self) -> str:
        return f"parameter:{self.path}"

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "parameter": self.path,
            "from": self.start.isoformat(),
            "value": self.value,
        }
        if self.stop is not None:
            result["until"] = self.stop.isoformat()
        return result


@dataclass(frozen=True)
class BenefitSwitch:
    """A whole benefit switched off (or back on) from a day (from the beginning if None)."""

    benefit: str
    enabled: bool
    start: dt.date | None = None

    @property
    def key(self) -> str:
        return f"benefit:{self.benefit}"

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"benefit": self.benefit, "enabled": self.enabled}
        if self.start is not None:
            result["from"] = self.start.isoformat()
        return result


@dataclass(frozen=True)
class ExclusivitySwitch:
    """An exclusivity group's rule: ``highest`` (就高, the law) or ``both`` (all received)."""

    group: str
    rule: str
    start: dt.date | None = None

    @property
    def key(self) -> str:
        return f"exclusivity:{self.group}"

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"exclusivity": self.group, "rule": self.rule}
        if self.start is not None:
            result["from"] = self.start.isoformat()
        return result


Change = ParameterChange | BenefitSwitch | ExclusivitySwitch


@dataclass(frozen=True)
class ReformSpec:
    name: str
    description: str = ""
    jurisdiction: str = DEFAULT_JURISDICTION
    changes: tuple[Change, ...] = ()
    baseline: dt.date | None = None  # the law as it stood that day (later values set aside)

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "jurisdiction": self.jurisdiction,
            "changes": [c.as_dict() for c in self.changes],
        }
        if self.baseline is not None:
            result["baseline"] = self.baseline.isoformat()
        return result

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.as_dict(), allow_unicode=True, sort_keys=False)


# --- reading ---------------------------------------------------------------------------------


def _date(value: Any, where: str, problems: list[Refusal]) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(Refusal(where, f"日期“{value}”格式不正确（应为 YYYY-MM-DD）", "invalid"))
        return None


def parse_reform(data: Any) -> ReformSpec:
    """A reform from its YAML text or mapping, checked against its jurisdiction's law."""
    if isinstance(data, str | bytes):
        try:
            data = yaml.safe_load(data)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"（第{mark.line + 1}行）" if mark is not None else ""
            refusal = Refusal("reform", f"改革方案不是有效的YAML{where}", "invalid")
            raise ReformError([refusal]) from None
    if not isinstance(data, dict):
        raise ReformError([Refusal("reform", "改革方案应为包含名称和修改项的映射", "invalid")])
    problems: list[Refusal] = []
    unknown = sorted(set(data) - {"name", "description", "jurisdiction", "changes", "baseline"})
    if unknown:
        problems.append(
            Refusal(
                "reform",
                f"改革方案含有无法识别的项：{'、'.join(map(str, unknown))}"
                "（可用：name、description、jurisdiction、baseline、changes）",
                "invalid",
            )
        )
    name = str(data.get("name") or "").strip()
    if not name:
        problems.append(Refusal("name", "请填写改革方案名称", "required"))
    elif len(name) > 200:
        problems.append(Refusal("name", "改革方案名称不能超过200个字", "invalid"))
    jurisdiction = str(data.get("jurisdiction") or DEFAULT_JURISDICTION)
    if jurisdiction not in registry():
        problems.append(
            Refusal(
                "jurisdiction",
                f"城市“{jurisdiction}”没有可计算的政策规则（可用：{'、'.join(sorted(registry()))}）",
                "invalid",
            )
        )
        raise ReformError(problems)
    baseline = _date(data.get("baseline"), "baseline", problems)
    raw = data.get("changes") or []
    if not isinstance(raw, list):
        problems.append(Refusal("changes", "修改项（changes）应为列表", "invalid"))
        raw = []
    changes: list[Change] = []
    for i, item in enumerate(raw):
        change = _change(item, f"changes[{i}]", problems)
        if change is not None:
            changes.append(change)
    spec = ReformSpec(
        name=name,
        description=str(data.get("description") or "").strip(),
        jurisdiction=jurisdiction,
        changes=tuple(changes),
        baseline=baseline,
    )
    problems += check(spec)
    if problems:
        raise ReformError(problems)
    return spec


def _change(item: Any, where: str, problems: list[Refusal]) -> Change | None:
    number = int(where.split("[")[1].rstrip("]")) + 1
    if not isinstance(item, dict):
        problems.append(Refusal(where, f"第{number}项修改应为映射", "invalid"))
        return None
    kinds = [k for k in ("parameter", "benefit", "exclusivity") if k in item]
    if len(kinds) != 1:
        problems.append(
            Refusal(
                where,
                f"第{number}项修改须且只能指明一项：参数（parameter）、待遇（benefit）"
                "或不重复享受规则（exclusivity）",
                "invalid",
            )
        )
        return None
    start = _date(item.get("from"), f"{where}.from", problems)
    if kinds[0] == "parameter":
        if start is None and "from" not in item:
            problems.append(
                Refusal(f"{where}.from", f"第{number}项修改须注明起始日期（from）", "required")
            )
            return None
        if "value" not in item:
            problems.append(
                Refusal(f"{where}.value", f"第{number}项修改须注明新的数值（value）", "required")
            )
            return None
        stop = _date(item.get("until"), f"{where}.until", problems)
        if start is None:
            return None
        if stop is not None and stop < start:
            problems.append(
                Refusal(f"{where}.until", f"第{number}项修改的截止日期早于起始日期", "invalid")
            )
            return None
        return ParameterChange(str(item["parameter"]), start, item["value"], stop)
    if kinds[0] == "benefit":
        enabled = item.get("enabled")
        if not isinstance(enabled, bool):
            problems.append(
                Refusal(
                    f"{where}.enabled",
                    f"第{number}项修改须注明待遇开启或关闭（enabled: true/false）",
                    "invalid",
                )
            )
            return None
        return BenefitSwitch(str(item["benefit"]), enabled, start)
    rule = item.get("rule")
    if rule not in ("highest", "both"):
        problems.append(
            Refusal(
                f"{where}.rule",
                f"第{number}项修改的享受规则应为 highest（就高）或 both（同时享受）",
                "invalid",
            )
        )
        return None
    return ExclusivitySwitch(str(item["exclusivity"]), str(rule), start)


def parameter_paths(system: TaxBenefitSystem) -> list[str]:
    """Every dated parameter of the system, by dotted path."""
    paths: list[str] = []

    def walk(node: ParameterNode, prefix: str) -> None:
        for name, child in node.children.items():
            path = f"{prefix}{name}"
            if isinstance(child, ParameterNode):
                walk(child, f"{path}.")
            elif isinstance(child, Parameter):
                paths.append(path)

    walk(system.parameters, "")
    return sorted(paths)


def parameter_at(system: TaxBenefitSystem, path: str) -> Parameter | None:
    node: Any = system.parameters
    for part in path.split("."):
        children = getattr(node, "children", None)
        if not isinstance(children, dict) or part not in children:
            return None
        node = children[part]
    return node if isinstance(node, Parameter) else None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "list"
    return type(value).__name__


KIND_WORDS = {"bool": "是/否（true/false）", "number": "数值", "list": "列表"}


def _near(word: str, choices: Iterable[str]) -> str:
    near = difflib.get_close_matches(word, list(choices), n=5, cutoff=0.5)
    return f"（是否指：{'、'.join(near)}）" if near else ""


def check(spec: ReformSpec) -> list[Refusal]:
    """Every problem of a reform against its jurisdiction's law: unknown parameters (with the
    valid ones), values of the wrong kind, days before the law, unknown benefits or groups, and
    conflicting changes."""
    system = system_for(spec.jurisdiction)
    program = system.program
    earliest = system.jurisdiction.earliest
    problems: list[Refusal] = []
    paths = parameter_paths(system)
    benefits = {b.id: b for b in program.benefits}
    groups = {g.id: g for g in program.exclusivity}
    for i, change in enumerate(spec.changes):
        where, number = f"changes[{i}]", i + 1
        if isinstance(change, ParameterChange):
            parameter = parameter_at(system, change.path)
            if parameter is None:
                problems.append(
                    Refusal(
                        f"{where}.parameter",
                        f"第{number}项修改：没有参数“{change.path}”{_near(change.path, paths)}。"
                        f"可修改的参数：{'、'.join(paths)}",
                        "unknown_parameter",
                    )
                )
                continue
            # a parameter never yet set (awaiting the administrator) takes a number
            kinds = {_kind(v.value) for v in parameter.values_list if v.value is not None}
            kinds = kinds or {"number"}
            if change.value is not None and _kind(change.value) not in kinds:
                wanted = "、".join(KIND_WORDS.get(k, k) for k in sorted(kinds))
                problems.append(
                    Refusal(
                        f"{where}.value",
                        f"第{number}项修改：参数“{change.path}”（{parameter.description or ''}）"
                        f"的值应为{wanted}，而不是“{change.value}”",
                        "invalid",
                    )
                )
            if _kind(change.value) == "number" and change.value < 0:
                problems.append(
                    Refusal(f"{where}.value", f"第{number}项修改：数值不能为负数", "invalid")
                )
        elif isinstance(change, BenefitSwitch):
            if change.benefit not in benefits:
                problems.append(
                    Refusal(
                        f"{where}.benefit",
                        f"第{number}项修改：没有待遇“{change.benefit}”"
                        f"{_near(change.benefit, benefits)}。可开关的待遇："
                        f"{'、'.join(f'{b.id}（{b.name}）' for b in program.benefits)}",
                        "unknown_benefit",
                    )
                )
        elif change.group not in groups:
            problems.append(
                Refusal(
                    f"{where}.exclusivity",
                    f"第{number}项修改：没有不重复享受规则“{change.group}”。可修改的规则："
                    f"{'、'.join(f'{g.id}（{g.label}）' for g in program.exclusivity)}",
                    "unknown_exclusivity",
                )
            )
        start = change.start
        if start is not None and start < earliest:
            problems.append(
                Refusal(
                    f"{where}.from",
                    f"第{number}项修改的起始日期 {start.isoformat()} 早于本平台收录的"
                    f"{system.jurisdiction.name}人才政策施行时间（{earliest.isoformat()}）",
                    "invalid",
                )
            )
    problems += conflicts([spec])
    return problems


def _overlap(a: Change, b: Change) -> bool:
    if not (isinstance(a, ParameterChange) and isinstance(b, ParameterChange)):
        return True  # a rule switched twice, whatever the days
    a_stop = a.stop or dt.date.max
    b_stop = b.stop or dt.date.max
    return a.start <= b_stop and b.start <= a_stop


def _what(change: Change) -> str:
    if isinstance(change, ParameterChange):
        until = f"至{change.stop.isoformat()}" if change.stop else "起"
        return f"参数“{change.path}”（{change.start.isoformat()}{until}改为{change.value}）"
    if isinstance(change, BenefitSwitch):
        return f"待遇“{change.benefit}”的{'开启' if change.enabled else '关闭'}"
    return f"不重复享受规则“{change.group}”改为{'同时享受' if change.rule == 'both' else '就高'}"


def conflicts(specs: Sequence[ReformSpec]) -> list[Refusal]:
    """Changes of the stacked reforms that touch the same parameter over overlapping days, or
    the same rule: each pair reported (even when equal: stacking never merges)."""
    seen: list[tuple[int, int, Change]] = []
    problems: list[Refusal] = []
    for s, spec in enumerate(specs):
        for i, change in enumerate(spec.changes):
            for s2, i2, earlier in seen:
                if earlier.key == change.key and _overlap(earlier, change):
                    first = f"“{specs[s2].name}”第{i2 + 1}项" if len(specs) > 1 else f"第{i2 + 1}项"
                    second = f"“{spec.name}”第{i + 1}项" if len(specs) > 1 else f"第{i + 1}项"
                    problems.append(
                        Refusal(
                            f"changes[{i}]",
                            f"修改冲突：{first}{_what(earlier)}与{second}{_what(change)}"
                            "修改同一项且时间重叠，请合并为一项或调整起止日期",
                            "conflict",
                        )
                    )
            seen.append((s, i, change))
    return problems


def stack(specs: Sequence[ReformSpec], name: str | None = None) -> ReformSpec:
    """One reform of several applied in order; conflicts are refused with every pair named."""
    if not specs:
        raise ReformError([Refusal("reforms", "请至少选择一个改革方案", "required")])
    jurisdictions = {s.jurisdiction for s in specs}
    if len(jurisdictions) > 1:
        raise ReformError([Refusal("reforms", "叠加的改革方案须属于同一城市", "invalid")])
    baselines = {s.baseline for s in specs if s.baseline is not None}
    if len(baselines) > 1:
        raise ReformError([Refusal("baseline", "叠加的改革方案的基准日期不一致", "conflict")])
    problems = conflicts(specs)
    if problems:
        raise ReformError(problems)
    return ReformSpec(
        name=name or " + ".join(s.name for s in specs),
        description="；".join(s.description for s in specs if s.description),
        jurisdiction=specs[0].jurisdiction,
        changes=tuple(c for s in specs for c in s.changes),
        baseline=next(iter(baselines), None),
    )


# --- applying: OpenFisca's reform mechanism --------------------------------------------------


def _bool_variable(name: str, formula: Any) -> type[Variable]:
    return type(
        name,
        (Variable,),
        {
            "value_type": bool,
            "entity": Person,
            "definition_period": DAY,
            "label": name,
            "formula": formula,
        },
    )


def _from_day(start: dt.date | None, before: Any, after: Any) -> Any:
    """A formula that is ``before``'s before ``start`` and ``after``'s from it."""

    def formula(person: Any, period: Any, parameters: Any) -> np.ndarray:
        if start is not None and period.start < instant(start.isoformat()):
            return before(person, period, parameters)
        return after(person, period, parameters)

    return formula


def as_of(parameters: ParameterNode, day: dt.date) -> ParameterNode:
    """The parameters as they stood on ``day``: values dated after it are set aside."""
    cutoff = day.isoformat()

    def walk(node: ParameterNode) -> None:
        for child in node.children.values():
            if isinstance(child, ParameterNode):
                walk(child)
            elif isinstance(child, Parameter):
                # none left: the parameter was not yet law that day (read as not in force)
                child.values_list = [v for v in child.values_list if v.instant_str <= cutoff]

    walk(parameters)
    return parameters


def _cite(node: Parameter, before: list[Any], change: ParameterChange, cited_as: str) -> None:
    """Every value of a changed parameter keeps a citation, as the calculator shows one: the
    reform's for its own value, the law's for the law's values (also where ``update`` split one
    to restore it after ``until``)."""
    start = change.start.isoformat()
    for entry in node.values_list:
        if entry.instant_str == start:
            entry.metadata = {
                **(entry.metadata or {}),
                "citation": {
                    "document": cited_as,
                    "clause": "测算调整",
                    "quote": f"自{start}起调整为{change.value}",
                },
            }
        elif not (entry.metadata or {}).get("citation"):
            law = next((old for old in before if old.instant_str <= entry.instant_str), None)
            if law is not None and law.metadata:
                entry.metadata = {**(entry.metadata or {}), **law.metadata}


def build_system(
    jurisdiction: str,
    changes: Sequence[Change] = (),
    baseline: dt.date | None = None,
    name: str = "reform",
) -> TaxBenefitSystem:
    """The jurisdiction's system with the changes applied, as an OpenFisca ``Reform``."""
    cited_as = f"改革方案“{name}”"
    base: JurisdictionSystem = system_for(jurisdiction)
    if not changes and baseline is None:
        return base
    parameter_changes = [c for c in changes if isinstance(c, ParameterChange)]
    switches = [c for c in changes if not isinstance(c, ParameterChange)]
    program = base.program

    class Applied(OpenFiscaReform):
        def apply(self) -> None:
            if parameter_changes or baseline is not None:
                self.modify_parameters(modifier_function=modify)
            for switch in switches:
                if isinstance(switch, BenefitSwitch):
                    self._switch_benefit(switch)
                else:
                    self._switch_exclusivity(switch)

        def _switch_benefit(self, switch: BenefitSwitch) -> None:
            name = f"{program.benefit(switch.benefit).variable}_eligible"
            if not switch.enabled and switch.start is None:
                self.neutralize_variable(name)
                return
            original = self.variables[name]
            law = original.formulas.peekitem(0)[1] if original.formulas else None

            def off(person: Any, period: Any, parameters: Any) -> np.ndarray:
                return np.zeros(person.count, dtype=bool)

            # switched on again: the law's own formula (a benefit switched off earlier in the
            # stack is back from the day)
            on = law if law is not None else off
            before = on if not switch.enabled else off
            after = on if switch.enabled else off
            if switch.start is None:
                before = after
            self.replace_variable(_bool_variable(name, _from_day(switch.start, before, after)))

        def _switch_exclusivity(self, switch: ExclusivitySwitch) -> None:
            group = next(g for g in program.exclusivity if g.id == switch.group)
            for member in group.members:
                variable = program.benefit(member).variable
                granted = self.variables[f"{variable}_granted"]
                law = granted.formulas.peekitem(0)[1]

                def both(p: Any, t: Any, _: Any, v: str = variable) -> np.ndarray:
                    return p(f"{v}_eligible", t)

                before, after = (law, both) if switch.rule == "both" else (both, law)
                if switch.start is None:
                    before = after
                self.replace_variable(
                    _bool_variable(f"{variable}_granted", _from_day(switch.start, before, after))
                )

    def modify(parameters: ParameterNode) -> ParameterNode:
        if baseline is not None:
            as_of(parameters, baseline)
        for change in parameter_changes:
            node: Any = parameters
            for part in change.path.split("."):
                node = node.children[part]
            before = list(node.values_list)
            node.update(
                start=instant(change.start.isoformat()),
                stop=instant(change.stop.isoformat()) if change.stop else None,
                value=change.value,
            )
            _cite(node, before, change, cited_as)
        return parameters

    Applied.__name__ = "Applied"
    return Applied(base)


def system_of(spec: ReformSpec | None, baseline: dt.date | None = None) -> TaxBenefitSystem:
    if spec is None:
        return build_system(DEFAULT_JURISDICTION, baseline=baseline)
    return build_system(spec.jurisdiction, spec.changes, baseline or spec.baseline, spec.name)


def parameter_label(system: TaxBenefitSystem, path: str) -> str:
    """A parameter in the words of its files: the descriptions of its nodes, outermost first
    (the last of a node's words that repeat its parent's are kept once)."""
    words: list[str] = []
    node: Any = system.parameters
    for part in path.split("."):
        node = node.children[part]
        description = (getattr(node, "description", None) or "").strip()
        if description and description not in words:
            words.append(description)
    return " · ".join(words[-3:]) if words else path


@dataclass
class Catalogue:
    """What a reform may change, for the page's form."""

    parameters: list[dict[str, Any]] = field(default_factory=list)
    benefits: list[dict[str, str]] = field(default_factory=list)
    exclusivity: list[dict[str, str]] = field(default_factory=list)


def catalogue(jurisdiction: str = DEFAULT_JURISDICTION) -> Catalogue:
    system = system_for(jurisdiction)
    result = Catalogue()
    for path in parameter_paths(system):
        parameter = parameter_at(system, path)
        assert parameter is not None
        values = [
            {"from": v.instant_str, "value": v.value} for v in reversed(parameter.values_list)
        ]
        result.parameters.append(
            {
                "path": path,
                "description": parameter.description or path,
                "label": parameter_label(system, path),
                "values": values,
            }
        )
    for benefit in system.program.benefits:
        result.benefits.append({"id": benefit.id, "name": benefit.name, "kind": benefit.kind})
    for group in system.program.exclusivity:
        result.exclusivity.append({"id": group.id, "label": group.label})
    return result
