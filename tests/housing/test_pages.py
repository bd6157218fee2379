"""The batch page over real HTTP: a 保租房 applicant left without a unit is pointed to the
rental subsidy; the published result never shows a full name."""

from __future__ import annotations

import os
import uuid

import httpx

from rencai import clock
from rencai.db.session import session_scope
from rencai.housing import allocation, batches
from rencai.housing.models import Batch
from rencai.registry.accounts import authenticate
from rencai.web.cookies import SESSION_COOKIE
from tests.housing import world
from tests.support import LiveServer, csrf_headers


def test_waiting_rental_applicant_sees_the_subsidy(live_server: LiveServer) -> None:
    tag = uuid.uuid4().hex[:6]
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        office = world.office(s, f"po{tag}")
        batch, buildings = world.batch(
            s, office, kind="rental", units={f"保租房{tag}": 1}, number=int(tag, 16) % 9000 + 1
        )
        people = [
            world.talent(s, f"p{i}{tag}", name) for i, name in enumerate(["欧阳娜娜", "司马懿"])
        ]
        for person in people:
            allocation.apply(s, person, batch.id, list(buildings.values()))
        batches.close_batch(s, office, batch.id)
        for a in allocation.batch_applications(s, batch):
            allocation.review(s, office, a.id, True)
        allocation.publish_seed(s, office, batch.id, f"seed-{tag}")
        allocation.draw(s, office, batch.id)
        allocation.publish_result(s, office, batch.id, clock.today())  # objections open now
        waiting = next(a for a in allocation.batch_applications(s, batch) if a.status == "waiting")
        housed = next(a for a in allocation.batch_applications(s, batch) if a.status == "housed")
        names = {p.id: p for p in people}
        token = authenticate(
            s, f"p{people.index(names[waiting.talent_id])}{tag}", "secret123", kind="session"
        ).token
        other = authenticate(
            s, f"p{people.index(names[housed.talent_id])}{tag}", "secret123", kind="session"
        ).token
        batch_id = batch.id
        office_token = authenticate(s, f"po{tag}", "secret123", kind="session").token
    url = f"{live_server.url}/housing/batches/{batch_id}"
    page = httpx.get(url, cookies={SESSION_COOKIE: token}).text
    assert 'id="subsidy-hint"' in page and "租赁补贴" in page
    assert "欧阳娜娜" not in page and "司马懿" not in page
    assert 'id="subsidy-hint"' not in httpx.get(url, cookies={SESSION_COOKIE: other}).text
    # an objection on the page, answered by the office, who is brought back to the batch
    cookies = {SESSION_COOKIE: token}
    filed = httpx.post(
        f"{url}/objections",
        cookies=cookies,
        headers=csrf_headers(token),
        data={"text": "我的顺位有误"},
    )
    assert filed.status_code == 303
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        found = s.get(Batch, batch_id)
        assert found is not None
        (objection,) = allocation.batch_objections(s, found)
    answered = httpx.post(
        f"{live_server.url}/housing/objections/{objection.id}/answer",
        cookies={SESSION_COOKIE: office_token},
        headers=csrf_headers(office_token) | {"Referer": "https://elsewhere.example/"},
        data={"answer": "经核查无误"},
    )
    assert answered.status_code == 303
    assert answered.headers["location"] == f"/housing/batches/{batch_id}"
    empty = httpx.post(
        f"{url}/objections", cookies=cookies, headers=csrf_headers(token), data={"text": " "}
    )
    assert empty.status_code == 422 and "请填写异议内容" in empty.text
