"""人才安居 pages: batches and their published results for everyone, the application form for
talents, and the housing office's desk (units, batches, draw, contracts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from rencai import clock
from rencai.errors import Refusal
from rencai.housing import access, allocation, contracts, records
from rencai.housing import batches as housing_batches
from rencai.housing import purchase as purchase_option
from rencai.housing.models import (
    BATCH_KIND_LABELS,
    MODE_LABELS,
    UNIT_KIND_LABELS,
    Allocation,
)
from rencai.housing.views import (
    application_view,
    batch_view,
    building_views,
    contract_view,
    objection_view,
    result_view,
)
from rencai.policy.cities import default_code
from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.stated import CRITERIA as STATED
from rencai.policy.stated import DEGREE_LABELS
from rencai.registry.accounts import talent_of
from rencai.registry.models import Account
from rencai.web.deps import DbSession, MaybeAccount, PageAccount, SerialId, require_page
from rencai.web.errors import status_of
from rencai.web.forms import form_action
from rencai.web.pages.stations import stated_criteria
from rencai.web.templating import message, page

router = APIRouter(include_in_schema=False)

Office = Annotated[
    Account,
    Depends(require_page(access.may_manage, message="仅住房保障部门或系统管理员可以办理")),
]

Form = dict[str, Any]


def _text(form: Form, name: str) -> str:
    return str(form.get(name, "") or "").strip()


def _date(form: Form, name: str, label: str, required: bool = True) -> dt.date | None:
    value = _text(form, name)
    if not value and not required:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise records.HousingError(name, f"请填写正确的{label}", "invalid") from None


def _int(form: Form, name: str, label: str, required: bool = True) -> int | None:
    value = _text(form, name)
    if not value and not required:
        return None
    if not value.isdigit() or len(value) > 9:
        raise records.HousingError(name, f"{label}应为正整数", "invalid")
    return int(value)


async def _act(
    request: Request, session: Session, action: Callable[[Form], Any], back: str
) -> Response:
    """Run one office or talent action from a form; a refusal changes nothing and is shown in
    Chinese with a way back."""

    def run(submitted: FormData) -> Any:
        form: Form = dict(submitted)
        form["_lists"] = submitted
        return action(form)

    return await form_action(
        request,
        session,
        run,
        lambda exc, _: page(
            request, "housing_message.html", {"text": exc.message, "back": back}, status_of(exc)
        ),
        lambda _: RedirectResponse(back, status_code=303),
    )


# --- everyone ------------------------------------------------------------------------------


@router.get("/housing", response_class=HTMLResponse)
def housing_home(request: Request, account: MaybeAccount, session: DbSession) -> Response:
    batches = [batch_view(session, b) for b in housing_batches.visible_batches(session, account)]
    return page(
        request,
        "housing.html",
        {
            "batches": batches,
            "is_office": account is not None and access.may_manage(account),
            "signed_in": account is not None,
        },
    )


@router.get("/housing/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(
    request: Request, batch_id: SerialId, account: MaybeAccount, session: DbSession
) -> Response:
    try:
        found = housing_batches.visible_batch(session, account, batch_id)
    except Refusal as exc:
        return message(request, exc.message, status_of(exc))
    office = account is not None and access.may_manage(account)
    talent = talent_of(session, account) if account is not None else None
    mine = None
    if talent is not None:
        mine = next(
            (a for a in allocation.talent_applications(session, talent) if a.batch_id == found.id),
            None,
        )
    context: dict[str, Any] = {
        "batch": batch_view(session, found),
        "is_office": office,
        "is_talent": talent is not None,
        "signed_in": account is not None,
        "mine": application_view(session, mine) if mine else None,
        "result": result_view(session, found)
        if housing_batches.result_public(found) or (office and found.status in ("drawn",))
        else None,
        "modes": MODE_LABELS,
        "today": clock.today().isoformat(),
    }
    if office:
        applications = allocation.batch_applications(session, found)
        context["applications"] = [application_view(session, a) for a in applications]
        context["objections"] = [
            objection_view(o) for o in allocation.batch_objections(session, found)
        ]
        housed = {a.id for a in applications if a.status == "housed"}
        signed = {c.application_id for c in contracts.contracts(session)}
        context["to_sign"] = [
            application_view(session, a)
            for a in applications
            if a.id in housed and a.id not in signed
        ]
        context["allocated"] = {
            row.application_id: row.unit_id
            for row in session.query(Allocation).filter(Allocation.batch_id == found.id)
        }
    return page(request, "housing_batch.html", context)


# --- talents -------------------------------------------------------------------------------


@router.post("/housing/batches/{batch_id}/apply", response_class=HTMLResponse)
async def apply(
    request: Request, batch_id: SerialId, account: PageAccount, session: DbSession
) -> Response:
    def action(form: Form) -> None:
        talent = talent_of(session, account)
        if talent is None:
            raise records.HousingError("role", "仅人才本人可以申请", "forbidden")
        preferences = []
        for key in ("pref1", "pref2", "pref3"):
            value = _int(form, key, "志愿", required=False)
            if value is not None:
                preferences.append(value)
        group = _int(form, "claimed_group", "优先类别", required=False)
        allocation.apply(
            session,
            talent,
            batch_id,
            preferences,
            group,
            _text(form, "spouse_id_number") or None,
        )

    return await _act(request, session, action, f"/housing/batches/{batch_id}")


@router.post("/housing/batches/{batch_id}/objections", response_class=HTMLResponse)
async def object_to(
    request: Request, batch_id: SerialId, account: PageAccount, session: DbSession
) -> Response:
    def action(form: Form) -> None:
        housing_batches.visible_batch(session, account, batch_id)
        allocation.object_to(session, account, batch_id, _text(form, "text"))

    return await _act(request, session, action, f"/housing/batches/{batch_id}")


@router.get("/housing/mine", response_class=HTMLResponse)
def mine(request: Request, account: PageAccount, session: DbSession) -> Response:
    talent = talent_of(session, account)
    if talent is None:
        return message(request, "仅人才本人可以查看", 403)
    return page(
        request,
        "housing_mine.html",
        {
            "applications": [
                application_view(session, a)
                for a in allocation.talent_applications(session, talent)
            ],
            "contracts": [
                contract_view(session, c) for c in contracts.talent_contracts(session, talent)
            ],
        },
    )


# --- the housing office ---------------------------------------------------------------------


@router.get("/housing/office", response_class=HTMLResponse)
def office_desk(request: Request, officer: Office, session: DbSession) -> Response:
    return page(
        request,
        "housing_office.html",
        {
            "buildings": building_views(session),
            "contracts": [contract_view(session, c) for c in contracts.contracts(session)],
            "unit_kinds": UNIT_KIND_LABELS,
            "batch_kinds": BATCH_KIND_LABELS,
            "modes": MODE_LABELS,
            "programs": housing_batches.eligible_choices(),
            "city_programs": {
                code: housing_batches.eligible_choices(code)
                for code in vocabulary().codes("jurisdiction")
            },
            "cities": vocabulary().codes("jurisdiction"),
            "criteria": STATED,
            "degrees": DEGREE_LABELS,
            "counties": vocabulary().counties_with_city(),
            "today": clock.today().isoformat(),
        },
    )


@router.post("/housing/office/buildings", response_class=HTMLResponse)
async def add_building(request: Request, officer: Office, session: DbSession) -> Response:
    def action(form: Form) -> None:
        housing_batches.add_building(
            session,
            officer,
            default_code(),
            _text(form, "name"),
            _text(form, "county"),
            _text(form, "kind"),
            form.get("government_built") == "on",
            _text(form, "address") or None,
        )

    return await _act(request, session, action, "/housing/office")


@router.post("/housing/office/buildings/{building_id}/units", response_class=HTMLResponse)
async def add_unit(
    request: Request, building_id: SerialId, officer: Office, session: DbSession
) -> Response:
    def action(form: Form) -> None:
        try:
            size = Decimal(_text(form, "size_m2"))
        except InvalidOperation:
            raise records.HousingError("size_m2", "请填写建筑面积（平方米）", "invalid") from None
        if not size.is_finite():
            raise records.HousingError("size_m2", "请填写建筑面积（平方米）", "invalid")
        rent = records.parse_money(_text(form, "rent"), "rent")
        housing_batches.add_unit(session, officer, building_id, _text(form, "number"), size, rent)

    return await _act(request, session, action, "/housing/office")


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace("，", "\n").splitlines() if line.strip()]


@router.post("/housing/office/batches", response_class=HTMLResponse)
async def create_batch(request: Request, officer: Office, session: DbSession) -> Response:
    def action(form: Form) -> None:
        units = [int(v) for v in form["_lists"].getlist("unit_ids") if str(v).isdigit()]
        programs = [str(v) for v in form["_lists"].getlist("eligible_programs")]
        days = _int(form, "objection_days", "公示异议期", required=False)
        number = _int(form, "number", "批次号")
        assert number is not None
        housing_batches.create_batch(
            session,
            officer,
            _text(form, "jurisdiction") or None,
            _text(form, "kind"),
            number,
            _text(form, "title"),
            programs,
            _lines(_text(form, "documents")),
            _lines(_text(form, "priority_groups")),
            units,
            _text(form, "mode") or None,
            days,
            stated_criteria(form, "c_", lambda f, m: records.HousingError(f, m, "invalid")),
        )

    return await _act(request, session, action, "/housing")


BATCH_ACTIONS: dict[str, Callable[[Session, Account, int, Form], Any]] = {
    "open": lambda s, a, b, f: housing_batches.open_batch(s, a, b),
    "close": lambda s, a, b, f: housing_batches.close_batch(s, a, b),
    "settings": lambda s, a, b, f: housing_batches.set_settings(
        s, a, b, _text(f, "mode") or None, _int(f, "objection_days", "公示异议期", required=False)
    ),
    "seed": lambda s, a, b, f: allocation.publish_seed(s, a, b, _text(f, "seed")),
    "draw": lambda s, a, b, f: allocation.draw(s, a, b),
    "publish": lambda s, a, b, f: allocation.publish_result(s, a, b),
    "finalize": lambda s, a, b, f: allocation.finalize(s, a, b),
}


@router.post("/housing/batches/{batch_id}/{step}", response_class=HTMLResponse)
async def batch_step(
    request: Request, batch_id: SerialId, step: str, officer: Office, session: DbSession
) -> Response:
    handler = BATCH_ACTIONS.get(step)
    if handler is None:
        return message(request, "没有此操作", 404)

    def action(form: Form) -> None:
        handler(session, officer, batch_id, form)

    return await _act(request, session, action, f"/housing/batches/{batch_id}")


async def _act_then_batch(
    request: Request, session: Session, action: Callable[[Form], int]
) -> Response:
    """``_act`` for an action on one of a batch's applications or objections (``action``
    returns the batch): once done, the batch's page."""
    batch_id = 0

    def run(form: Form) -> None:
        nonlocal batch_id
        batch_id = action(form)

    response = await _act(request, session, run, "/housing")
    if batch_id and response.status_code == 303:
        return RedirectResponse(f"/housing/batches/{batch_id}", status_code=303)
    return response


@router.post("/housing/applications/{application_id}/review", response_class=HTMLResponse)
async def review(
    request: Request, application_id: SerialId, officer: Office, session: DbSession
) -> Response:

    def action(form: Form) -> int:
        done = allocation.review(
            session,
            officer,
            application_id,
            _text(form, "decision") == "approve",
            _text(form, "reason") or None,
            _int(form, "group", "优先类别", required=False),
        )
        return done.batch_id

    return await _act_then_batch(request, session, action)


@router.post("/housing/objections/{objection_id}/answer", response_class=HTMLResponse)
async def answer(
    request: Request, objection_id: SerialId, officer: Office, session: DbSession
) -> Response:

    def action(form: Form) -> int:
        done = allocation.answer_objection(session, officer, objection_id, _text(form, "answer"))
        return done.batch_id

    return await _act_then_batch(request, session, action)


@router.post("/housing/applications/{application_id}/contract", response_class=HTMLResponse)
async def sign(
    request: Request, application_id: SerialId, officer: Office, session: DbSession
) -> Response:
    def action(form: Form) -> None:
        start = _date(form, "start", "合同开始日期")
        end = _date(form, "end", "合同结束日期")
        assert start is not None and end is not None
        rent = _text(form, "rent")
        contracts.sign_contract(
            session,
            officer,
            application_id,
            start,
            end,
            records.parse_money(rent, "rent") if rent else None,
        )

    return await _act(request, session, action, "/housing/office#contracts")


CONTRACT_ACTIONS: dict[str, Callable[[Session, Account, int, Form], Any]] = {
    "renew": lambda s, a, c, f: contracts.renew(
        s,
        a,
        c,
        _date(f, "end", "续签结束日期"),  # type: ignore[arg-type]
        records.parse_money(_text(f, "rent"), "rent") if _text(f, "rent") else None,
    ),
    "exit": lambda s, a, c, f: contracts.start_exit(s, a, c, _text(f, "reason")),
    "end": lambda s, a, c, f: contracts.end_contract(s, a, c),
    "purchase": lambda s, a, c, f: purchase_option.purchase(
        s,
        a,
        c,
        records.parse_money(_text(f, "market_price"), "market_price"),
        f.get("no_home_confirmed") == "on",
    ),
}


@router.post("/housing/contracts/{contract_id}/{step}", response_class=HTMLResponse)
async def contract_step(
    request: Request, contract_id: SerialId, step: str, officer: Office, session: DbSession
) -> Response:
    handler = CONTRACT_ACTIONS.get(step)
    if handler is None:
        return message(request, "没有此操作", 404)

    def action(form: Form) -> None:
        handler(session, officer, contract_id, form)

    return await _act(request, session, action, "/housing/office#contracts")


@router.post("/housing/purchases/{purchase_id}/certificate", response_class=HTMLResponse)
async def certificate(
    request: Request, purchase_id: SerialId, officer: Office, session: DbSession
) -> Response:
    def action(form: Form) -> None:
        day = _date(form, "certificate_on", "不动产权证日期")
        assert day is not None
        purchase_option.record_certificate(session, officer, purchase_id, day)

    return await _act(request, session, action, "/housing/office#contracts")


@router.post("/housing/office/recheck", response_class=HTMLResponse)
async def recheck(request: Request, officer: Office, session: DbSession) -> Response:
    return await _act(
        request,
        session,
        lambda form: contracts.recheck(session, officer),
        "/housing/office#contracts",
    )
