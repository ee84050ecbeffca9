"""A realistic, synthetic demo world for the case registry, generated deterministically from a seed.

Yearly counts follow the public trend (463 cases in 2018, 551 in 2022, rising since), victims are
mostly Bolivian women and girls, destinations are Argentina, Chile, Peru, Brazil and Spain, routes
pass through real border crossings, and about a fifth of the cases are recorded a second time by
another agency with the differences real records have (maternal surname dropped or swapped,
accents lost, only the first given name, documents written differently), so that linkage has
real work to do. Every name is invented from common name lists; no real person is described.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from alianza.accounts.models import Institution
from alianza.audit.services import audit_record
from alianza.cases.choices import (
    ARTICLES_BY_CRIME,
    CaseSource,
    CaseStatus,
    CrimeType,
    CrossingType,
    LegalArticle,
    RouteEventType,
    TransportMode,
    Vocabulary,
)
from alianza.cases.models import (
    BorderCrossing,
    Case,
    CaseSearchToken,
    CaseSequence,
    ReferenceTerm,
    RouteEvent,
)
from alianza.cases.reference import reference_data_load
from alianza.cases.services import case_search_tokens
from alianza.normalize import fold
from alianza.people.choices import (
    ParticipationRole,
    RoleInProcess,
    StatusDecidedBy,
    TraffickingStatus,
)
from alianza.people.models import IdentityDocument, Participation, Person
from alianza.prosecution.models import Proceeding, ProceedingStage

DEMO_PREFIX = "DEMO-"
TWIN_SHARE = 0.2  # the share of cases that a second agency records again
YEAR_TREND = {2018: 463, 2019: 489, 2020: 402, 2021: 497, 2022: 551, 2023: 612, 2024: 655, 2025: 690}

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
            number = document.split()[0]
            document = rng.choice([number, f"{number}-{document[-2:]}", f"CI {number} Exp. {document[-2:]}"])
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


def demo_cases_seed(*, seed: int = 263, n_cases: int = 4000) -> int:
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
    terms = {(t.vocabulary, t.code): t for t in ReferenceTerm.objects.all()}
    crossings = {c.code: c for c in BorderCrossing.objects.all()}
    total = sum(YEAR_TREND.values())
    per_year = {year: round(n_cases / (1 + TWIN_SHARE) * count / total) for year, count in YEAR_TREND.items()}
    node = settings.ALIANZA_NODE_COUNTRY
    numbers: Counter[int] = Counter()

    cases: list[Case] = []
    case_forms: list[tuple[int, Any]] = []
    persons: list[tuple[int, str, _PersonSpec, Any]] = []  # case index, role, person, participation extras
    routes: list[tuple[int, RouteEvent]] = []
    twins_of: list[tuple[int, int]] = []  # (twin case index, original case index)

    def add_case(year: int, owner: Institution, crime: str, when: dt.date, form: str, department: str, city: str, record: str) -> int:
        numbers[year] += 1
        article = ARTICLES_BY_CRIME[crime][0] if crime != CrimeType.RELATED else rng.choice(
            [LegalArticle.PIMPING_321, LegalArticle.COMMERCIAL_SEXUAL_VIOLENCE_322, LegalArticle.CSAM_323_BIS]
        )
        status = _pick(rng, [(CaseStatus.ACTIVE, 45 if year >= 2024 else 20), (CaseStatus.FOLLOW_UP, 20),
                             (CaseStatus.CLOSED, 30), (CaseStatus.CLOSED_REFERRED, 10)])
        cases.append(Case(
            reference=f"{node}-{year}-{numbers[year]:06d}", crime_type=crime, legal_article=article, status=status,
            closure_reason="Archivo de obrados por falta de elementos." if status in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED) else "",
            owner_institution=owner, reported_on=when, first_incident_on=(when - dt.timedelta(days=rng.randint(5, 400))).isoformat()[:7],
            department=department, municipality=city,
            source=_pick(rng, [(CaseSource.COMPLAINT, 50), (CaseSource.RESCUE_OPERATION, 15), (CaseSource.HOTLINE, 10),
                               (CaseSource.EX_OFFICIO, 10), (CaseSource.REFERRAL_NATIONAL, 10), (CaseSource.REFERRAL_ABROAD, 5)]),
            narrative=f"Caso sintético de demostración ({form.replace('_', ' ')}).", source_record_id=record,
        ))
        return len(cases) - 1

    serial = 0
    for year, count in per_year.items():
        for _ in range(count):
            serial += 1
            when = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            crime = _pick(rng, [(CrimeType.TRAFFICKING, 72), (CrimeType.SMUGGLING, 18), (CrimeType.RELATED, 10)])
            form = _pick(rng, EXPLOITATION_MIX) if crime != CrimeType.SMUGGLING else ""
            department, city = rng.choice(RECRUITMENT_PLACES)
            owner = _pick(rng, owners)
            index = add_case(year, owner, crime, when, form or "tráfico", department, city, f"{DEMO_PREFIX}{serial:06d}")
            if form:
                case_forms.append((index, terms[(Vocabulary.EXPLOITATION_FORM, form)]))
            destination = _pick(rng, [(c, w) for c, (w, _, _) in DESTINATIONS.items()])
            if crime == CrimeType.SMUGGLING and destination == "BOL":
                destination = "CHL"
            _weight, cities, crossing_codes = DESTINATIONS[destination]
            events = [RouteEvent(position=1, event_type=RouteEventType.RECRUITMENT, country="BOL", department=department,
                                 city=city, date=cases[index].first_incident_on, transport_mode=TransportMode.BUS)]
            if crossing_codes:
                crossing = crossings.get(rng.choice(crossing_codes))
                events.append(RouteEvent(
                    position=2, event_type=RouteEventType.TRANSIT, country="BOL", border_crossing=crossing,
                    department=crossing.department if crossing else "", transport_mode=TransportMode.AIR if destination == "ESP" else TransportMode.BUS,
                    crossing=_pick(rng, [(CrossingType.REGULAR, 45), (CrossingType.IRREGULAR, 45), (CrossingType.UNKNOWN, 10)]),
                ))
            events.append(RouteEvent(position=len(events) + 1, event_type=RouteEventType.EXPLOITATION, country=destination,
                                     city=rng.choice(cities), transport_mode=TransportMode.UNKNOWN))
            routes.extend((index, e) for e in events)
            victims = []
            for _v in range(1 if rng.random() < 0.7 else rng.randint(2, 3)):
                female = rng.random() < (0.8 if form != "forced_labour" else 0.55)
                age = rng.randint(12, 17) if rng.random() < 0.45 else rng.randint(18, 35)
                spec = _new_person(rng, female=female, age=age, year=year)
                extras = {"form": form, "age": age,
                          "industry": _pick(rng, LABOUR_INDUSTRIES) if form == "forced_labour" else None,
                          "means": rng.sample(MEANS, 2), "recruitment": rng.choice(RECRUITMENT)}
                persons.append((index, ParticipationRole.VICTIM, spec, extras))
                victims.append((spec, extras))
            suspects = []
            for _s in range(rng.choice([0, 1, 1, 2])):
                spec = _new_person(rng, female=rng.random() < 0.4, age=rng.randint(22, 55), year=year)
                extras = {"roles": [rng.choice([RoleInProcess.RECRUITER, RoleInProcess.EXPLOITER, RoleInProcess.TRANSPORTER,
                                                RoleInProcess.SMUGGLER if crime == CrimeType.SMUGGLING else RoleInProcess.RECRUITER])],
                          "stage": _pick(rng, [(ProceedingStage.INVESTIGATED, 50), (ProceedingStage.CHARGED, 22),
                                               (ProceedingStage.PROSECUTED, 12), (ProceedingStage.CONVICTED, 10),
                                               (ProceedingStage.ACQUITTED, 6)]), "when": when}
                persons.append((index, ParticipationRole.SUSPECT, spec, extras))
                suspects.append((spec, extras))
            # The same events recorded again by another agency: police and prosecution, or an NGO.
            if rng.random() < TWIN_SHARE and len(owners) > 1:
                other = _pick(rng, [(i, w) for i, w in owners if i != owner])
                serial += 1
                twin = add_case(year, other, crime, min(when + dt.timedelta(days=rng.randint(1, 60)), dt.date(year, 12, 31)),
                                form or "tráfico", department, city, f"{DEMO_PREFIX}{serial:06d}")
                twins_of.append((twin, index))
                if form:
                    case_forms.append((twin, terms[(Vocabulary.EXPLOITATION_FORM, form)]))
                for spec, extras in victims:
                    persons.append((twin, ParticipationRole.VICTIM, _variant(rng, spec), extras))
                for spec, extras in suspects[:1]:
                    persons.append((twin, ParticipationRole.SUSPECT, _variant(rng, spec), extras))

    names: dict[int, list[str]] = {}
    exploitation: dict[int, set[str]] = {}
    for index, _role, spec, _extras in persons:
        names.setdefault(index, []).append(fold(" ".join(p for p in (spec.given, spec.first, spec.second) if p)))
    for index, event in routes:
        if event.event_type == RouteEventType.EXPLOITATION:
            exploitation.setdefault(index, set()).add(event.country)
    for index, case in enumerate(cases):
        case.search_text = fold(f"{case.reference} {case.municipality} {case.narrative}")
        case.names_text = " | ".join(names.get(index, []))
        case.exploitation_countries = " ".join(sorted(exploitation.get(index, ())))

    with transaction.atomic(durable=True):
        Case.objects.bulk_create(cases, batch_size=1000)
        CaseSearchToken.objects.bulk_create(
            [token for case in cases for token in case_search_tokens(case)], batch_size=5000
        )
        for year, last in numbers.items():
            sequence, _created = CaseSequence.objects.select_for_update().get_or_create(year=year)
            sequence.last_number = max(sequence.last_number, last)
            sequence.save(update_fields=["last_number"])
        Case.exploitation_forms.through.objects.bulk_create(
            [Case.exploitation_forms.through(case_id=cases[i].pk, referenceterm_id=t.pk) for i, t in case_forms],
            batch_size=2000, ignore_conflicts=True,
        )
        for index, event in routes:
            event.case_id = cases[index].pk
        RouteEvent.objects.bulk_create([e for _, e in routes], batch_size=2000)
        person_rows = [
            Person(given_names=spec.given, first_surname=spec.first, second_surname=spec.second, sex=spec.sex,
                   gender="Feminine" if spec.sex == "F" else "Masculine",
                   birth_date=spec.birth.isoformat() if rng.random() < 0.7 else str(spec.birth.year),
                   citizenships=[spec.nationality], languages=["spa"] + (["aym"] if spec.first in SURNAMES[:10] else []),
                   owner_institution_id=cases[index].owner_institution_id,
                   names_text=fold(" ".join(p for p in (spec.given, spec.first, spec.second) if p)),
                   source_record_id=cases[index].source_record_id)
            for index, _role, spec, _extras in persons
        ]
        Person.objects.bulk_create(person_rows, batch_size=2000)
        IdentityDocument.objects.bulk_create([
            IdentityDocument(person=person, document_type="CI", issuing_country="BOL", number_as_entered=spec.document,
                             number_normalized="".join(ch for ch in spec.document.split("-")[0] if ch.isdigit()),
                             extension=spec.document[-2:])
            for person, (_i, _r, spec, _e) in zip(person_rows, persons, strict=True) if spec.document
        ], batch_size=2000)
        participations = []
        for person, (index, role, _spec, extras) in zip(person_rows, persons, strict=True):
            participation = Participation(case_id=cases[index].pk, person=person, role=role)
            if role == ParticipationRole.VICTIM:
                participation.trafficking_status = TraffickingStatus.ACTUAL if cases[index].crime_type == CrimeType.TRAFFICKING else TraffickingStatus.POSSIBLE
                participation.status_decided_by = StatusDecidedBy.POLICE if cases[index].owner_institution.type == "Police" else StatusDecidedBy.COURT_OR_PROSECUTION
                participation.age_when_trafficked = extras["age"]
                participation.forced_labour_industry = terms.get((Vocabulary.ISIC_INDUSTRY, extras["industry"] or ""))
            else:
                participation.roles_in_process = [str(r) for r in extras["roles"]]
            participations.append((participation, extras))
        Participation.objects.bulk_create([p for p, _ in participations], batch_size=2000)
        through: Any = Participation.exploitation_forms.through
        through.objects.bulk_create([
            through(participation_id=p.pk, referenceterm_id=terms[(Vocabulary.EXPLOITATION_FORM, e["form"])].pk)
            for p, e in participations if p.role == ParticipationRole.VICTIM and e["form"]
        ], batch_size=2000)
        means: Any = Participation.means_of_control.through
        means.objects.bulk_create([
            means(participation_id=p.pk, referenceterm_id=terms[(Vocabulary.MEANS_OF_CONTROL, code)].pk)
            for p, e in participations if p.role == ParticipationRole.VICTIM for code in e["means"]
        ], batch_size=2000)
        recruitment: Any = Participation.recruitment_methods.through
        recruitment.objects.bulk_create([
            recruitment(participation_id=p.pk, referenceterm_id=terms[(Vocabulary.RECRUITMENT_METHOD, e["recruitment"])].pk)
            for p, e in participations if p.role == ParticipationRole.VICTIM
        ], batch_size=2000)
        Proceeding.objects.bulk_create([
            Proceeding(participation=p, stage=e["stage"], investigated_on=e["when"])
            for p, e in participations if p.role == ParticipationRole.SUSPECT
        ], batch_size=2000)
        audit_record(actor=None, action="demo.cases_seed", object_type="cases.case", changed_fields=["cases", "persons"])
    return len(cases)
