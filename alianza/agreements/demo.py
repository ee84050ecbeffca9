"""Demo agreements and partner nodes for Bolivia's partners, on plausible (synthetic) terms.

The titles follow the kind of instruments Bolivia has signed, but the references, dates and
terms here are illustrative, not a record of the real agreements.
"""

from __future__ import annotations

from datetime import date

from alianza.accounts.authz import Category
from alianza.agreements import services
from alianza.agreements.models import (
    Agreement,
    AgreementType,
    HandlingCode,
    LegalBasis,
    PartnerNode,
    Purpose,
    Scope,
)

_S, _C, _R, _SI, _VI = (
    Category.STATISTICS,
    Category.CASE_SUMMARY,
    Category.ROUTE,
    Category.SUSPECT_IDENTITY,
    Category.VICTIM_IDENTITY,
)
_ENFORCEMENT = [Purpose.PREVENT_AND_COMBAT, Purpose.INVESTIGATION, Purpose.PROSECUTION]
_PROTECTION = [Purpose.VICTIM_PROTECTION, Purpose.REPATRIATION]

# reference, country, title, type, signed, in force, expires, scope, categories, legal bases,
# purposes, handling code, retention days, focal points
DEMO_AGREEMENTS: list[tuple] = [
    ("BOL-PER-2006", "PER",
     "Acuerdo bilateral Bolivia–Perú para fortalecer la lucha contra la trata de personas, el tráfico ilícito de migrantes y delitos conexos",
     AgreementType.BILATERAL_AGREEMENT, date(2006, 9, 22), date(2007, 3, 1), None, Scope.BOTH,
     [_S, _C, _R, _SI, _VI], [LegalBasis.JUDICIAL_ORDER, LegalBasis.CHILD_PROTECTION],
     _ENFORCEMENT + _PROTECTION, HandlingCode.H2, 5 * 365,
     "Dirección contra la Trata de Personas y Tráfico Ilícito de Migrantes (Ministerio del Interior, Perú)"),
    ("BOL-ARG-2013", "ARG",
     "Acuerdo entre Bolivia y Argentina para la prevención e investigación del delito de trata de personas y la asistencia a sus víctimas",
     AgreementType.BILATERAL_AGREEMENT, date(2013, 7, 15), date(2014, 1, 10), None, Scope.TRAFFICKING,
     [_S, _C, _R, _SI, _VI], [LegalBasis.JUDICIAL_ORDER],
     _ENFORCEMENT + _PROTECTION, HandlingCode.H1, 5 * 365,
     "Programa Nacional de Rescate y Acompañamiento (Ministerio de Justicia, Argentina)"),
    ("BOL-PRY-2016", "PRY",
     "Memorándum de entendimiento Bolivia–Paraguay sobre cooperación contra la trata de personas",
     AgreementType.MEMORANDUM, date(2016, 4, 5), date(2016, 4, 5), date(2031, 4, 4), Scope.TRAFFICKING,
     [_S, _C, _R, _SI], [], _ENFORCEMENT + [Purpose.VICTIM_PROTECTION], HandlingCode.H1, 3 * 365,
     "Mesa Interinstitucional contra la Trata de Personas (Paraguay)"),
    ("BOL-BRA-2010", "BRA",
     "Memorando de entendimento Bolívia–Brasil para o enfrentamento ao tráfico de pessoas",
     AgreementType.MEMORANDUM, date(2010, 8, 17), date(2011, 2, 1), None, Scope.BOTH,
     [_S, _C, _R, _SI], [], _ENFORCEMENT, HandlingCode.H2, 3 * 365,
     "Coordenação de Enfrentamento ao Tráfico de Pessoas (Ministério da Justiça, Brasil)"),
    ("BOL-CHL-2018", "CHL",
     "Protocolo Bolivia–Chile de cooperación para la prevención y persecución de la trata de personas y el tráfico de migrantes",
     AgreementType.PROTOCOL, date(2018, 11, 20), date(2019, 1, 1), date(2029, 12, 31), Scope.BOTH,
     [_S, _C, _R], [], [Purpose.PREVENT_AND_COMBAT, Purpose.INVESTIGATION, Purpose.STATISTICS],
     HandlingCode.H2, 2 * 365, "Mesa Intersectorial sobre Trata de Personas (Subsecretaría del Interior, Chile)"),
    ("BOL-ESP-2012", "ESP",
     "Memorando de entendimiento Bolivia–España en materia de lucha contra la trata de seres humanos",
     AgreementType.MEMORANDUM, date(2012, 6, 12), date(2012, 6, 12), None, Scope.TRAFFICKING,
     [_S, _C, _R, _SI, _VI], [LegalBasis.VITAL_INTEREST],
     _ENFORCEMENT + _PROTECTION, HandlingCode.H3, 5 * 365,
     "Relator Nacional contra la Trata de Seres Humanos (Ministerio del Interior, España)"),
    ("BOL-PAN-2019", "PAN",
     "Memorándum de entendimiento Bolivia–Panamá sobre cooperación en materia de trata de personas",
     AgreementType.MEMORANDUM, date(2019, 5, 8), date(2019, 5, 8), date(2024, 5, 7), Scope.TRAFFICKING,
     [_S, _C], [], [Purpose.PREVENT_AND_COMBAT, Purpose.STATISTICS], HandlingCode.H0, 365,
     "Comisión Nacional contra la Trata de Personas (Panamá)"),
    ("BOL-VEN-2009", "VEN",
     "Acuerdo Bolivia–Venezuela de cooperación contra la delincuencia organizada transnacional, la trata y el tráfico de personas",
     AgreementType.BILATERAL_AGREEMENT, date(2009, 3, 30), date(2009, 10, 1), None, Scope.BOTH,
     [_S, _C], [], [Purpose.PREVENT_AND_COMBAT, Purpose.STATISTICS], HandlingCode.H2, 2 * 365,
     "Oficina Nacional contra la Delincuencia Organizada (Venezuela)"),
]

DEMO_NODES: list[tuple[str, str, str]] = [
    ("alianza-per", "PER", "Nodo Alianza del Perú (demo)"),
    ("alianza-arg", "ARG", "Nodo Alianza de Argentina (demo)"),
    ("alianza-pry", "PRY", "Nodo Alianza del Paraguay (demo)"),
    ("alianza-bra", "BRA", "Nó Alianza do Brasil (demo)"),
    ("alianza-chl", "CHL", "Nodo Alianza de Chile (demo)"),
    ("alianza-esp", "ESP", "Nodo Alianza de España (demo)"),
    ("alianza-pan", "PAN", "Nodo Alianza de Panamá (demo)"),
    ("alianza-ven", "VEN", "Nodo Alianza de Venezuela (demo)"),
]


def demo_agreements_seed() -> int:
    """Create the demo agreements and partner nodes if missing; returns how many were created."""
    created = 0
    for (reference, country, title, type_, signed, in_force, expires, scope, categories, bases,
         purposes, handling, retention, focal) in DEMO_AGREEMENTS:
        if Agreement.objects.filter(reference=reference).exists():
            continue
        services.agreement_create(
            acting_user=None, reference=reference, partner_country=country, title=title, type=type_,
            signed_on=signed, in_force_from=in_force, expires_on=expires, scope=scope,
            categories=[str(c) for c in categories], victim_legal_bases=[str(b) for b in bases],
            purposes=[str(p) for p in purposes], handling_code=handling, retention_days=retention,
            focal_points=focal,
        )
        created += 1
    for node_id, country, name in DEMO_NODES:
        if not PartnerNode.objects.filter(node_id=node_id).exists():
            # No inbox URL or keys: the operator adds them from the partner's published JWK Set.
            services.partner_node_create(acting_user=None, node_id=node_id, country=country, name=name)
            created += 1
    return created
