"""A synthetic case snapshot and throwaway node keys for the exchange tests and the benchmark."""

from __future__ import annotations

from joserfc.jwk import OKPKey

from alianza.exchange.packages import CaseSnapshot, PersonRecord, Provenance, RouteStep


def new_keys() -> tuple[OKPKey, OKPKey]:
    signing = OKPKey.generate_key("Ed25519", private=True)
    signing.ensure_kid()
    encryption = OKPKey.generate_key("X25519", private=True)
    encryption.ensure_kid()
    return signing, encryption


def public(key: OKPKey) -> OKPKey:
    return OKPKey.import_key(key.as_dict(private=False))


def typical_snapshot(*, reference: str = "BOL-2026-000042", consent: frozenset[str] = frozenset({"PER"}),
                     victim_provenance: Provenance | None = None) -> CaseSnapshot:
    """A typical trafficking case: two victims, two suspects, a four-step route. All invented."""
    return CaseSnapshot(
        reference=reference,
        crime_type="trafficking",
        statistics={
            "year": 2026, "crime_type": "trafficking",
            "victims_by_sex_age": {"girls": 1, "women": 1}, "suspects": 2,
            "exploitation_forms": ["sexual_exploitation"],
        },
        summary={
            "legal_article": "281bis", "status": "active", "reported_on": "2026-03-14",
            "first_incident_on": "2026-01", "department": "LP",
            "exploitation_forms": ["sexual_exploitation"], "victim_count": 2, "suspect_count": 2,
        },
        route=(
            RouteStep(1, "recruitment", "BOL", "El Alto", "2026-01", "bus"),
            RouteStep(2, "transit", "BOL", "Desaguadero", "2026-01-20", "bus"),
            RouteStep(3, "transit", "PER", "Puno", "2026-01-21", "bus"),
            RouteStep(4, "exploitation", "PER", "Juliaca", "2026-02", "unknown"),
        ),
        suspects=(
            PersonRecord("S-1", "Rolando", "Prueba", "Ficticio", "M", "1985-05-02", "BOL", "CI", "9999001",
                         "La Paz", role_detail="recruiter"),
            PersonRecord("S-2", "Marco Antonio", "Ejemplo", "", "M", "1979", "PER", "DNI", "99990002",
                         "Puno", role_detail="exploiter"),
        ),
        victims=(
            PersonRecord("V-1", "Ana Lucía", "Sintética", "Demo", "F", "2009-08-17", "BOL", "CI", "9999003",
                         "El Alto", consented_countries=consent, provenance=victim_provenance),
            PersonRecord("V-2", "Rosa", "Inventada", "Muestra", "F", "2001-02-11", "BOL", "CI", "9999004",
                         "Viacha", consented_countries=consent),
        ),
    )
