"""The review queue, a pair's page, the decisions, the alerts page and the linkage API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alianza.audit.models import AuditEntry
from alianza.linkage import services
from alianza.linkage.models import CandidatePair, MatchAlert, MissingPersonMatch, PairStatus
from alianza.linkage.tests.world import World
from alianza.people.choices import ParticipationRole
from alianza.people.models import Participation
from conftest import sign_in

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    return sign_in(Client(headers={"Accept-Language": "en"}), user)


def _pair(a: Any, b: Any) -> CandidatePair:
    return CandidatePair.objects.get(left_id=min(a.pk, b.pk), right_id=max(a.pk, b.pk))


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _pairs(world: World, scores: Any, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        a = world.person(world.police_case, first_surname=f"Mamani{i}")
        b = world.person(world.ngo_case if i % 2 else world.restricted_case, first_surname=f"Mamani{i}", document=f"{i}")
        c = world.person(world.police_case, role=ParticipationRole.SUSPECT, first_surname=f"Quispe{i}")
        scores.update({(a.pk, b.pk): 0.5 + i / 100, (a.pk, c.pk): 0.4})


def test_the_queue_page_costs_the_same_queries_with_more_rows(world: World, scores: Any) -> None:
    _pairs(world, scores, 1)
    services.linkage_run()
    client = _client(world.investigator)
    client.get("/linkage/review/")  # the first request also writes the session
    few = _queries(client, "/linkage/review/")
    _pairs(world, scores, 10, start=1)
    services.linkage_run()
    response = client.get("/linkage/review/")
    assert response.content.decode().count("data-pair=") == 22
    assert _queries(client, "/linkage/review/") == few
    # The list shows where records come from, never who they are.
    assert "Rosa Elena" not in response.content.decode()


def test_a_reviewer_confirms_then_rejects_and_each_decision_moves_on(world: World, scores: Any) -> None:
    _pairs(world, scores, 2)
    services.linkage_run()
    client = _client(world.investigator)
    first, second = CandidatePair.objects.filter(status=PairStatus.PENDING).order_by("-match_probability", "id")[:2]
    page = client.get(f"/linkage/review/{first.pk}/").content.decode()
    assert "Confirm: same person" in page and 'id="field-table"' in page and "Not shown" in page
    assert "Rosa Elena" in page  # the police's own victim record
    assert AuditEntry.objects.filter(action="victim_identity.view").count() == 1
    response = client.post(f"/linkage/review/{first.pk}/decide/", {"decision": "confirm", "version": first.version})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == PairStatus.CONFIRMED
    assert response.headers["Location"] == f"/linkage/review/{second.pk}/"  # the next pair awaiting review
    # A stale form changes nothing and says why.
    stale = client.post(f"/linkage/review/{first.pk}/decide/", {"decision": "reject", "version": 1}, follow=True)
    assert "Someone else decided this pair" in stale.content.decode()
    first.refresh_from_db()
    assert first.status == PairStatus.CONFIRMED
    client.post(f"/linkage/review/{second.pk}/decide/", {"decision": "reject", "version": second.version})
    second.refresh_from_db()
    assert second.status == PairStatus.REJECTED
    undone = client.post(f"/linkage/review/{second.pk}/decide/", {"decision": "undo", "version": 2}, follow=True)
    assert "The decision was undone." in undone.content.decode()
    second.refresh_from_db()
    assert second.status == PairStatus.PENDING
    nonsense = client.post(f"/linkage/review/{second.pk}/decide/", {"decision": "merge-all", "version": "x"}, follow=True)
    assert "Choose to confirm, reject or undo" in nonsense.content.decode()
    assert list(
        AuditEntry.objects.filter(object_type="linkage.candidatepair").order_by("seq").values_list("action", flat=True)
    ) == ["linkage.pair_confirm", "linkage.pair_reject", "linkage.pair_undo"]
    confirmed = client.get("/linkage/review/?status=confirmed").content.decode()
    assert f'data-pair="{first.pk}"' in confirmed


def test_other_roles_cannot_reach_the_queue(world: World, scores: Any) -> None:
    _pairs(world, scores, 1)
    services.linkage_run()
    pair = CandidatePair.objects.first()
    assert pair is not None
    analyst = _client(world.analyst)
    assert analyst.get("/linkage/review/").status_code == 403
    assert analyst.post(f"/linkage/review/{pair.pk}/decide/", {"decision": "confirm", "version": 1}).status_code == 403
    # A reviewer who may know neither record gets a 404, as for a pair that does not exist.
    police, ngo = world.person(world.police_case), world.person(world.ngo_case)
    scores.clear()
    scores[(police.pk, ngo.pk)] = 0.6
    services.linkage_run()
    from alianza.accounts.roles import Role
    from alianza.accounts.tests.factories import InstitutionFactory, UserFactory

    outsider = _client(UserFactory(role=Role.INVESTIGATOR, institution=InstitutionFactory()))
    assert outsider.get(f"/linkage/review/{_pair(police, ngo).pk}/").status_code == 404


def test_alerts_page_badge_and_handling(world: World, django_capture_on_commit_callbacks: Any) -> None:
    victim = world.person(world.police_case, given_names="Wara", first_surname="Mamani", birth_date="2003-05-04")
    missing = world.person(world.ngo_case, role=ParticipationRole.MISSING_PERSON, given_names="Wara",
                           first_surname="Mamani", second_surname="", birth_date="2003-05-04")  # fmt: skip
    found = MissingPersonMatch.objects.create(
        missing=Participation.objects.get(person=missing), victim=Participation.objects.get(person=victim),
        match_probability=0.97,
    )  # fmt: skip
    for institution in (world.police, world.ngo):
        MatchAlert.objects.create(match=found, institution=institution)
    client = _client(world.investigator)
    home = client.get("/").content.decode()
    assert '<span class="badge" aria-hidden="true">1</span>' in home and "(1 open)" in home
    page = client.get("/linkage/alerts/").content.decode()
    assert world.police_case.reference in page and world.ngo_case.reference in page
    assert "Wara" not in page and "Mamani" not in page
    alert = MatchAlert.objects.get(institution=world.police)
    client.post(f"/linkage/alerts/{alert.pk}/", {"handled": "1"})
    assert 'class="badge"' not in client.get("/").content.decode()
    assert world.ngo_case.reference in client.get("/linkage/alerts/?handled=1").content.decode()
    # The analyst has no alerts page and no badge.
    analyst = _client(world.analyst)
    assert analyst.get("/linkage/alerts/").status_code == 403
    assert "badge" not in analyst.get("/").content.decode()


# --- API ---------------------------------------------------------------------------------------


def call(client: Client, method: str, url: str, body: Any = None) -> Any:
    response = client.generic(
        method, f"/api/v1{url}", data=json.dumps(body) if body is not None else "",
        content_type="application/json", headers={"Accept-Language": "en"},
    )  # fmt: skip
    return response.status_code, (response.json() if response.content else None)


def test_the_api_lists_and_decides_pairs_without_identities(world: World, scores: Any) -> None:
    _pairs(world, scores, 2)
    services.linkage_run()
    client = _client(world.investigator)
    status, listed = call(client, "GET", "/linkage/pairs?limit=10")
    assert status == 200 and listed["count"] == 4
    item = listed["items"][0]
    assert "Rosa" not in json.dumps(listed)
    assert {c["name"] for c in item["comparisons"]} == {"surnames", "given_names", "birth_date", "document"}
    assert abs(item["prior"] + sum(c["weight"] for c in item["comparisons"]) - item["match_weight"]) < 0.01
    known = [side for side in (item["left"], item["right"]) if side["person_id"] is not None]
    assert len(known) == 1 and known[0]["institution"] == "POL" and known[0]["roles"] == ["victim"]
    status, confirmed = call(client, "POST", f"/linkage/pairs/{item['id']}/confirm", {"version": item["version"]})
    assert status == 200 and confirmed["status"] == "confirmed" and confirmed["version"] == item["version"] + 1
    status, error = call(client, "POST", f"/linkage/pairs/{item['id']}/reject", {"version": item["version"]})
    assert status == 409 and error["error"]["code"] == "conflict"
    status, undone = call(client, "POST", f"/linkage/pairs/{item['id']}/undo", {"version": confirmed["version"]})
    assert status == 200 and undone["status"] == "pending"
    assert call(client, "GET", f"/linkage/pairs/{item['id']}")[1]["status"] == "pending"
    assert call(client, "GET", "/linkage/pairs/999999")[0] == 404
    assert call(_client(world.analyst), "GET", "/linkage/pairs")[0] == 403
