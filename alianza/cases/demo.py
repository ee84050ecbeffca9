"""A realistic, synthetic demo world for the case registry, generated deterministically from a seed.

Yearly counts follow the public trend (463 cases in 2018, 551 in 2022, rising since), victims are
mostly Bolivian women and girls, destinations are Argentina, Chile, Peru, Brazil and Spain, routes
pass through real border crossings, and about a fifth of the cases are recorded a second time by
another agency with the differences real records have (maternal surname dropped or swapped,
accents lost, only the first given name, documents written differently), so that linkage has
real work to do. Every name is invented from common name lists; no real person is described.

The world is drawn as the inputs a user would type (`CaseInput`, `PersonInput`, ...), cleaned by
the services' own functions and written in bulk by `alianza.cases.bulk`, so that its rows carry
exactly the denormalised columns and search tokens the services keep, at any size:
`alianza demo --cases N` (and the case registry benchmark, which generates 200,000 cases on
SQLite and 1,000,000 on PostgreSQL, with about 2.5 persons each) go through here.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from alianza.accounts.models import Institution
from alianza.audit.services import audit_record
from alianza.cases.bulk import CaseBundle, ParticipantBundle, cases_bulk_create
from alianza.cases.choices import (
    ARTICLES_BY_CRIME,
    CaseSource,
    CaseStatus,
    CrimeType,
    CrossingType,
    LegalArticle,
    RouteEventType,
    Sensitivity,
    TransportMode,
)
from alianza.cases.models import Case, CaseSearchToken, CaseShare, RouteEvent
from alianza.cases.reference import reference_data_load
from alianza.cases.services import (
    CaseInput,
    Problems,
    ReferenceLookup,
    RouteEventInput,
    clean_case,
    clean_route_event,
)
from alianza.core.bulk import db_value, insert_rows, table_analyze
from alianza.normalize import fold
from alianza.people.choices import (
    ParticipationRole,
    RoleInProcess,
    StatusDecidedBy,
    TraffickingStatus,
)
from alianza.people.models import Participation, Person
from alianza.people.services import (
    DocumentInput,
    ParticipationInput,
    PersonInput,
    clean_participation,
    clean_person,
)
from alianza.prosecution.models import Proceeding, ProceedingStage

DEMO_PREFIX = "DEMO-"
TWIN_SHARE = 0.2  # the share of cases that a second agency records again
YEAR_TREND = {2018: 463, 2019: 489, 2020: 402, 2021: 497, 2022: 551, 2023: 612, 2024: 655, 2025: 690}
DEMO_CASES = sum(YEAR_TREND.values())  # the default world: each year's count exactly as in the trend

FEMALE_NAMES = ["María", "Juana", "Rosa", "Ana", "Luz", "Carmen", "Lidia", "Roxana", "Wendy", "Jhenny", "Nayeli",
                "Mayra", "Sonia", "Marisol", "Beatriz", "Ximena", "Gabriela", "Daniela", "Micaela", "Yola", "Inés",
                "Elena", "Norma", "Paola", "Evelyn", "Tatiana", "Silvia", "Vanesa", "Lourdes", "Fabiola"]
MALE_NAMES = ["Juan", "Carlos", "José", "Luis", "Mario", "Freddy", "Wilson", "Edwin", "René", "Víctor", "Marco",
              "Iván", "Álvaro", "Rolando", "Germán", "Hugo", "Ramiro", "Nelson", "Grover", "Efraín"]
SECOND_GIVEN = ["", "", "Elena", "Isabel", "del Carmen", "Luisa", "Belén", "Fernanda", "Alejandra", "Rocío"]
SURNAMES = ["Mamani", "Quispe", "Condori", "Choque", "Huanca", "Apaza", "Ticona", "Limachi", "Colque", "Flores",
            "Gutiérrez", "Fernández", "Rodríguez", "López", "Vargas", "Rojas", "Pérez", "Torrez", "Cruz",
            "de la Cruz", "Núñez", "Chávez", "Gonzales", "Ramos", "Ayala", "Yujra", "Calle", "Poma", "Nina",
            "Callisaya", "Cusi", "Villca", "Tarqui", "Copa", "Álvarez", "Guzmán", "Céspedes", "Suárez"]
RECRUITMENT_PLACES = [("BO-L", "El Alto"), ("BO-L", "La Paz"), ("BO-C", "Cochabamba"), ("BO-C", "Quillacollo"),
                      ("BO-S", "Santa Cruz de la Sierra"), ("BO-P", "Potosí"), ("BO-O", "Oruro"),
                      ("BO-T", "Tarija"), ("BO-H", "Sucre"), ("BO-B", "Riberalta"), ("BO-N", "Cobija")]
DESTINATIONS = {  # country: (weight, cities, crossings)
    "ARG": (30, ["Buenos Aires", "Mendoza", "Jujuy", "Salta"], ["villazon", "yacuiba", "bermejo"]),
    "CHL": (20, ["Santiago", "Iquique", "Calama", "Arica"], ["pisiga", "tambo_quemado", "ollague", "charana"]),
    "PER": (12, ["Lima", "Puno", "Cusco", "Juliaca"], ["desaguadero", "kasani"]),
    "BRA": (13, ["São Paulo", "Corumbá", "Guajará-Mirim"], ["puerto_quijarro", "guayaramerin", "cobija", "san_matias"]),
    "ESP": (5, ["Madrid", "Barcelona", "Murcia"], ["airport_viru_viru", "airport_el_alto"]),
    "BOL": (20, ["Santa Cruz de la Sierra", "Yacuiba", "Riberalta", "Potosí", "El Alto"], []),
}
EXPLOITATION_MIX = [("sexual_exploitation", 44), ("forced_labour", 36), ("forced_begging", 8),
                    ("forced_marriage", 5), ("criminal_activities", 4), ("servitude", 2), ("slavery", 0.6),
                    ("organ_removal", 0.4)]
LABOUR_INDUSTRIES = [("B", 25), ("A", 25), ("C", 25), ("T", 25)]  # mining, agriculture, textiles, domestic
OWNERS = [("FELCC", 42), ("FGE", 28), ("FMK", 6), ("CAIW", 5), ("RPIA", 4), ("DP", 5), ("DNA-EA", 6), ("MINGOB", 4)]
MEANS = ["false_promises", "debt_bondage", "withholds_documents", "psychological_abuse", "physical_threats",
         "takes_earnings", "confinement", "excessive_working_hours"]
RECRUITMENT = ["online_social_networks", "friends", "family", "employment_agency", "newspaper_advert", "at_work"]
# Cases an owner shares with another institution (police and prosecution work the same cases; NGOs
# report to the ministry), and how many are restricted or highly sensitive.
SHARES = {
    "FELCC": ("FGE", 0.2, ("statistics", "case_summary", "route", "suspect_identity", "victim_identity")),
    "FGE": ("FELCC", 0.15, ("statistics", "case_summary", "route", "suspect_identity", "victim_identity")),
    "FMK": ("MJTI", 0.1, ("statistics", "case_summary")), "CAIW": ("MJTI", 0.1, ("statistics", "case_summary")),
    "RPIA": ("MJTI", 0.1, ("statistics", "case_summary")), "DNA-EA": ("MJTI", 0.1, ("statistics", "case_summary")),
}  # fmt: skip
SENSITIVITY_MIX = [(Sensitivity.NORMAL, 90), (Sensitivity.HIGH, 7), (Sensitivity.RESTRICTED, 3)]
COMPLAINANT_SHARE = 0.25  # of complaints, filed by a relative who is recorded as the complainant
BATCH = 5000  # cases written per bulk call


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


@dataclass
class _PersonSpec:
    given: str
    first: str
    second: str
    sex: str
    birth: dt.date
    nationality: str
    document: str


def _variant(rng: random.Random, spec: _PersonSpec) -> _PersonSpec:
    """The same person as another agency records them, with a realistic difference or two."""
    given, first, second, document = spec.given, spec.first, spec.second, spec.document
    for change in rng.sample(["drop_second", "swap", "accents", "first_given", "document", "none"], 2):
        if change == "drop_second":
            second = ""
        elif change == "swap" and second:
            first, second = second, first
        elif change == "accents":
            given, first, second = (fold(given).title(), fold(first).title(), fold(second).title())
        elif change == "first_given":
            given = given.split()[0]
        elif change == "document" and document:
            number, extension = document.split()
            dotted = f"{int(number):,}".replace(",", ".")
            document = rng.choice([number, f"{number}{extension}", f"CI {number} Exp. {extension}", f"{dotted} {extension}"])
    return _PersonSpec(given, first, second, spec.sex, spec.birth, spec.nationality, document)


def _new_person(rng: random.Random, *, female: bool, age: int, year: int) -> _PersonSpec:
    given = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    if female and rng.random() < 0.5:
        given = f"{given} {rng.choice(SECOND_GIVEN)}".strip()
    first, second = rng.sample(SURNAMES, 2)
    birth = dt.date(year - age, rng.randint(1, 12), rng.randint(1, 28))
    nationality = _pick(rng, [("BOL", 90), ("PER", 4), ("PRY", 3), ("VEN", 3)])
    document = ""
    if nationality == "BOL" and age >= 16 and rng.random() < 0.8:
        document = f"{rng.randint(2_000_000, 14_999_999)} {rng.choice(['LP', 'CB', 'SC', 'PT', 'OR', 'TJ', 'CH', 'BE', 'PD'])}"
    return _PersonSpec(given, first, second, "F" if female else "M", birth, nationality, document)


@dataclass
class _Participant:
    spec: _PersonSpec
    role: ParticipationInput
    full_birth_date: bool
    stage: str = ""  # suspects: the stage their proceeding reached
    stage_on: dt.date | None = None


@dataclass
class _CaseSpec:
    owner: Institution
    record_id: str
    data: CaseInput
    route: list[RouteEventInput] = field(default_factory=list)
    participants: list[_Participant] = field(default_factory=list)
    shares: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)  # (institution id, categories)


def _person_input(spec: _PersonSpec, *, full_birth_date: bool) -> PersonInput:
    return PersonInput(
        given_names=spec.given, first_surname=spec.first, second_surname=spec.second, sex=spec.sex,
        gender="Feminine" if spec.sex == "F" else "Masculine",
        birth_date=spec.birth.isoformat() if full_birth_date else str(spec.birth.year),
        citizenships=(spec.nationality,), languages=("spa", "aym") if spec.first in SURNAMES[:10] else ("spa",),
        documents=(DocumentInput(number=spec.document, document_type="CI", issuing_country="BOL"),) if spec.document else (),
    )


def year_plan(n_cases: int, *, twins: bool = True) -> dict[int, tuple[int, int]]:
    """Per year, how many cases to draw and how many of them a second agency records again.

    Originals plus twins follow YEAR_TREND scaled to `n_cases`, so that the registry's raw yearly
    counts are the trend itself (exactly so at the default size, DEMO_CASES).
    """
    total = sum(YEAR_TREND.values())
    plan = {}
    for year, count in YEAR_TREND.items():
        target = round(n_cases * count / total)
        again = round(target * TWIN_SHARE / (1 + TWIN_SHARE)) if twins else 0
        plan[year] = (target - again, again)
    return plan


def _world(
    rng: random.Random, *, n_cases: int, owners: Sequence[tuple[Institution, float]], institutions: dict[str, Institution] | None = None
) -> Iterator[_CaseSpec]:
    """The demo world, case by case, as a user would enter it."""
    institutions = institutions or {}
    per_year = year_plan(n_cases, twins=len(owners) > 1)
    serial = 0

    def case(year: int, owner: Institution, crime: str, when: dt.date, form: str, department: str, city: str,
             first_incident: str) -> _CaseSpec:
        nonlocal serial
        serial += 1
        article = ARTICLES_BY_CRIME[crime][0] if crime != CrimeType.RELATED else rng.choice(
            [LegalArticle.PIMPING_321, LegalArticle.COMMERCIAL_SEXUAL_VIOLENCE_322, LegalArticle.CSAM_323_BIS]
        )
        status = _pick(rng, [(CaseStatus.ACTIVE, 45 if year >= 2024 else 20), (CaseStatus.FOLLOW_UP, 20),
                             (CaseStatus.CLOSED, 30), (CaseStatus.CLOSED_REFERRED, 10)])
        source = _pick(rng, [(CaseSource.COMPLAINT, 50), (CaseSource.RESCUE_OPERATION, 15), (CaseSource.HOTLINE, 10),
                             (CaseSource.EX_OFFICIO, 10), (CaseSource.REFERRAL_NATIONAL, 10), (CaseSource.REFERRAL_ABROAD, 5)])
        data = CaseInput(
            crime_type=crime, legal_article=article, status=status,
            closure_reason="Archivo de obrados por falta de elementos." if status in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED) else "",
            reported_on=when, first_incident_on=first_incident, department=department, municipality=city, source=source,
            narrative=f"Caso sintético de demostración ({(form or 'tráfico').replace('_', ' ')}).",
            exploitation_forms=(form,) if form else (), sensitivity=_pick(rng, SENSITIVITY_MIX),
        )
        spec = _CaseSpec(owner, f"{DEMO_PREFIX}{serial:06d}", data)
        partner, share, categories = SHARES.get(owner.short_name, ("", 0.0, ()))
        if partner in institutions and rng.random() < share:
            spec.shares.append((institutions[partner].pk, categories))
        return spec

    for year, (originals, twins) in per_year.items():
        twinned = set(rng.sample(range(originals), twins))
        for index in range(originals):
            when = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            crime = _pick(rng, [(CrimeType.TRAFFICKING, 72), (CrimeType.SMUGGLING, 18), (CrimeType.RELATED, 10)])
            form = _pick(rng, EXPLOITATION_MIX) if crime != CrimeType.SMUGGLING else ""
            department, city = rng.choice(RECRUITMENT_PLACES)
            owner = _pick(rng, owners)
            first_incident = (when - dt.timedelta(days=rng.randint(5, 400))).isoformat()[:7]
            original = case(year, owner, crime, when, form, department, city, first_incident)
            destination = _pick(rng, [(c, w) for c, (w, _, _) in DESTINATIONS.items()])
            if crime == CrimeType.SMUGGLING and destination == "BOL":
                destination = "CHL"
            _weight, cities, crossing_codes = DESTINATIONS[destination]
            route = [RouteEventInput(event_type=RouteEventType.RECRUITMENT, country="BOL", department=department, city=city,
                                     date=first_incident, transport_mode=TransportMode.BUS)]
            if crossing_codes:
                code = rng.choice(crossing_codes)
                route.append(RouteEventInput(
                    event_type=RouteEventType.TRANSIT, country="BOL", border_crossing=code,
                    transport_mode=TransportMode.AIR if destination == "ESP" else TransportMode.BUS,
                    crossing=_pick(rng, [(CrossingType.REGULAR, 45), (CrossingType.IRREGULAR, 45), (CrossingType.UNKNOWN, 10)]),
                ))
            route.append(RouteEventInput(event_type=RouteEventType.EXPLOITATION, country=destination,
                                         city=rng.choice(cities), transport_mode=TransportMode.UNKNOWN))
            original.route = route
            victims = []
            for _v in range(1 if rng.random() < 0.7 else rng.randint(2, 3)):
                female = rng.random() < (0.8 if form != "forced_labour" else 0.55)
                age = rng.randint(12, 17) if rng.random() < 0.45 else rng.randint(18, 35)
                spec = _new_person(rng, female=female, age=age, year=year)
                role = ParticipationInput(
                    role=ParticipationRole.VICTIM,
                    trafficking_status=TraffickingStatus.ACTUAL if crime == CrimeType.TRAFFICKING else TraffickingStatus.POSSIBLE,
                    status_decided_by=StatusDecidedBy.POLICE if owner.type == "Police" else StatusDecidedBy.COURT_OR_PROSECUTION,
                    age_when_trafficked=age, exploitation_forms=(form,) if form else (),
                    forced_labour_industry=_pick(rng, LABOUR_INDUSTRIES) if form == "forced_labour" else "",
                    means_of_control=tuple(rng.sample(MEANS, 2)), recruitment_methods=(rng.choice(RECRUITMENT),),
                )
                victims.append(_Participant(spec, role, rng.random() < 0.7))
            suspects = []
            for _s in range(rng.choice([0, 1, 1, 2])):
                spec = _new_person(rng, female=rng.random() < 0.4, age=rng.randint(22, 55), year=year)
                roles = [rng.choice([RoleInProcess.RECRUITER, RoleInProcess.EXPLOITER, RoleInProcess.TRANSPORTER,
                                     RoleInProcess.SMUGGLER if crime == CrimeType.SMUGGLING else RoleInProcess.RECRUITER])]
                stage = _pick(rng, [(ProceedingStage.INVESTIGATED, 50), (ProceedingStage.CHARGED, 22),
                                    (ProceedingStage.PROSECUTED, 12), (ProceedingStage.CONVICTED, 10),
                                    (ProceedingStage.ACQUITTED, 6)])
                suspects.append(_Participant(spec, ParticipationInput(role=ParticipationRole.SUSPECT, roles_in_process=tuple(roles)),
                                             rng.random() < 0.7, stage, when))
            complainants = []
            if original.data.source == CaseSource.COMPLAINT and rng.random() < COMPLAINANT_SHARE:
                relative = _new_person(rng, female=rng.random() < 0.6, age=rng.randint(35, 60), year=year)
                relative.first = victims[0].spec.first  # a parent of the first victim
                complainants.append(_Participant(relative, ParticipationInput(role=ParticipationRole.COMPLAINANT), True))
            original.participants = [*victims, *suspects, *complainants]
            yield original
            # The same events recorded again by another agency: police and prosecution, or an NGO.
            if index in twinned:
                other = _pick(rng, [(i, w) for i, w in owners if i != owner])
                twin = case(year, other, crime, min(when + dt.timedelta(days=rng.randint(1, 60)), dt.date(year, 12, 31)),
                            form, department, city, first_incident)
                twin.route = route
                twin.participants = [
                    _Participant(_variant(rng, p.spec), p.role, p.full_birth_date, p.stage, p.stage_on)
                    for p in [*victims, *suspects[:1]]
                ]
                yield twin


def _bundle(spec: _CaseSpec, lookup: ReferenceLookup) -> CaseBundle:
    """One case of the world, cleaned exactly as the services clean what a user enters."""
    problems = Problems()
    values, forms = clean_case(spec.data, problems, lookup)
    route = [clean_route_event(event, problems, lookup) for event in spec.route]
    participants = []
    for participant in spec.participants:
        person = clean_person(_person_input(participant.spec, full_birth_date=participant.full_birth_date), problems)
        role_values, role_terms = clean_participation(participant.role, problems, lookup)
        participants.append(ParticipantBundle(person, role_values, role_terms))
    if problems.by_field:
        raise RuntimeError(f"The demo world drew an invalid case {spec.record_id}: {problems.by_field}")
    return CaseBundle(values=values, exploitation_forms=forms, owner_institution_id=spec.owner.pk,
                      source_record_id=spec.record_id, route=route, participants=participants)


def _write(batch: list[_CaseSpec], lookup: ReferenceLookup) -> None:
    result = cases_bulk_create(acting_user=None, bundles=[_bundle(spec, lookup) for spec in batch], audit=False)
    proceedings = [
        (participation_id, p.stage, p.stage_on.isoformat() if p.stage_on else None)
        for spec, ids in zip(batch, result.participation_ids, strict=True)
        for p, participation_id in zip(spec.participants, ids, strict=True)
        if p.stage
    ]
    now = db_value(timezone.now())
    insert_rows(Proceeding, ("participation", "stage", "investigated_on", "updated_at"), [(*row, now) for row in proceedings])
    insert_rows(CaseShare, ("case", "institution", "category", "created_at"), [
        (case_id, institution_id, category, now)
        for spec, case_id in zip(batch, result.case_ids, strict=True)
        for institution_id, categories in spec.shares for category in categories
    ])


def demo_cases_seed(*, seed: int = 263, n_cases: int = DEMO_CASES, progress: Callable[[int], object] | None = None) -> int:
    """Create the demo cases if they are not there yet; returns how many were created."""
    reference_data_load()
    if Case.objects.filter(source_record_id__startswith=DEMO_PREFIX).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not a secret
    institutions = {i.short_name: i for i in Institution.objects.filter(short_name__in=[s for s, _ in OWNERS])}
    owners = [(institutions[s], w) for s, w in OWNERS if s in institutions]
    if not owners:
        owners = [(institution, 1) for institution in Institution.objects.order_by("pk")[:1]]
    if not owners:
        raise RuntimeError("Create the demo institutions first (alianza.accounts.demo).")
    all_institutions = {i.short_name: i for i in Institution.objects.all()}
    lookup = ReferenceLookup.preloaded()
    created = 0
    with transaction.atomic(durable=True):
        batch: list[_CaseSpec] = []
        for spec in _world(rng, n_cases=n_cases, owners=owners, institutions=all_institutions):
            batch.append(spec)
            if len(batch) == BATCH:
                _write(batch, lookup)
                created += len(batch)
                batch = []
                if progress is not None:
                    progress(BATCH)
        if batch:
            _write(batch, lookup)
            created += len(batch)
            if progress is not None:
                progress(len(batch))
        audit_record(actor=None, action="demo.cases_seed", object_type="cases.case", changed_fields=["cases", "persons"])
    table_analyze(Case, CaseSearchToken, CaseShare, RouteEvent, Person, Participation, Case.exploitation_forms.through)
    return created
