"""Web forms for cases, participants and route events. They parse; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alianza.accounts.models import Institution
from alianza.cases.choices import (
    CaseSource,
    CaseStatus,
    CrimeType,
    CrossingType,
    Department,
    LegalArticle,
    RouteEventType,
    Sensitivity,
    TransportMode,
    Vocabulary,
)
from alianza.cases.models import BorderCrossing, ReferenceTerm
from alianza.cases.selectors import SORTS, case_years
from alianza.cases.services import CaseInput, RouteEventInput
from alianza.core.errors import ValidationFailed
from alianza.people.choices import (
    Education,
    Gender,
    ParticipationRole,
    RelationshipToTrafficker,
    RoleInProcess,
    Sex,
    SexualExploitationType,
    StatusDecidedBy,
    TraffickingStatus,
    WebsiteOrApp,
)
from alianza.people.services import ContactInput, DocumentInput, ParticipationInput, PersonInput

DateInput = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PARTIAL_DATE_HELP = _("YYYY-MM-DD, or YYYY-MM or YYYY when only the month or year is known.")


def _blank(choices: Any, label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *[(value, text) for value, text in choices if value != ""]]


def term_choices(vocabulary: str) -> list[tuple[str, str]]:
    return [(t.code, t.label) for t in ReferenceTerm.objects.filter(vocabulary=vocabulary, is_active=True)]


def apply_problems(form: forms.Form, error: ValidationFailed) -> None:
    """Put a service's per-field problems next to the form's inputs (others at the top)."""
    for name, messages in error.extra.get("fields", {}).items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)
    if not error.extra.get("fields"):
        form.add_error(None, error.message)


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.replace(";", ",").split(",") if part.strip())


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"}),
                        help_text=_("Names, references or words of the narrative; accents and capitals do not matter."))
    crime_type = forms.ChoiceField(label=_("Crime type"), required=False, choices=_blank(CrimeType.choices, _("Any")))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(CaseStatus.choices, _("Any")))
    year = forms.TypedChoiceField(label=_("Year reported"), required=False, coerce=int, empty_value=None)
    department = forms.ChoiceField(label=_("Department"), required=False, choices=_blank(Department.choices, _("Any")))
    exploitation_form = forms.ChoiceField(label=_("Form of exploitation"), required=False)
    institution = forms.TypedChoiceField(label=_("Institution"), required=False, coerce=int, empty_value=None)
    exploitation_country = forms.CharField(label=_("Country of exploitation"), required=False, max_length=40,
                                           help_text=_("A country name or ISO code, e.g. ARG."))
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False,
        choices=[
            ("-reported_on", _("Newest first")), ("reported_on", _("Oldest first")),
            ("reference", _("Reference")), ("status", _("Status")), ("crime_type", _("Crime type")),
            ("-updated_at", _("Recently changed")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Any")), *[(y, y) for y in case_years()]]  # type: ignore[attr-defined]
        self.fields["exploitation_form"].choices = [("", _("Any")), *term_choices(Vocabulary.EXPLOITATION_FORM)]  # type: ignore[attr-defined]
        self.fields["institution"].choices = [  # type: ignore[attr-defined]
            ("", _("Any")), *[(i.pk, str(i)) for i in Institution.objects.filter(is_active=True)]
        ]

    def clean_exploitation_country(self) -> str:
        from alianza.normalize import NormalizationError, normalize_country

        value = self.cleaned_data["exploitation_country"]
        if not value:
            return ""
        try:
            return normalize_country(value)
        except NormalizationError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_sort(self) -> str:
        value = self.cleaned_data["sort"]
        return value if value in SORTS else "-reported_on"


class CaseForm(forms.Form):
    crime_type = forms.ChoiceField(label=_("Crime type"), choices=_blank(CrimeType.choices),
                                   help_text=_("Trafficking in persons and migrant smuggling are different crimes."))
    legal_article = forms.ChoiceField(label=_("Legal article"), required=False, choices=_blank(LegalArticle.choices),
                                      help_text=_("Filled in for trafficking and smuggling; choose it for a related crime."))
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices, initial=CaseStatus.ACTIVE)
    closure_reason = forms.CharField(label=_("Reason for closure"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                     help_text=_("Required when the case is closed."))
    reported_on = forms.DateField(label=_("Date reported"), widget=DateInput)
    first_incident_on = forms.CharField(label=_("Date of the first incident"), required=False, max_length=10, help_text=PARTIAL_DATE_HELP)
    department = forms.ChoiceField(label=_("Department"), required=False, choices=_blank(Department.choices))
    municipality = forms.CharField(label=_("Municipality"), required=False, max_length=100)
    source = forms.ChoiceField(label=_("Source"), choices=_blank(CaseSource.choices))
    narrative = forms.CharField(label=_("Narrative"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    sensitivity = forms.ChoiceField(label=_("Sensitivity"), choices=Sensitivity.choices, initial=Sensitivity.NORMAL,
                                    help_text=_("Restricted cases are seen only by your institution and those you share them with."))
    exploitation_forms = forms.MultipleChoiceField(label=_("Forms of exploitation"), required=False, widget=forms.CheckboxSelectMultiple)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exploitation_forms"].choices = term_choices(Vocabulary.EXPLOITATION_FORM)  # type: ignore[attr-defined]

    def to_input(self) -> CaseInput:
        data = self.cleaned_data
        return CaseInput(
            crime_type=data["crime_type"], legal_article=data["legal_article"], status=data["status"],
            closure_reason=data["closure_reason"], reported_on=data["reported_on"],
            first_incident_on=data["first_incident_on"], department=data["department"],
            municipality=data["municipality"], source=data["source"], narrative=data["narrative"],
            sensitivity=data["sensitivity"], exploitation_forms=tuple(data["exploitation_forms"]),
        )

    @classmethod
    def initial_from(cls, case: Any) -> dict[str, Any]:
        return {
            **{name: getattr(case, name) for name in (
                "crime_type", "legal_article", "status", "closure_reason", "reported_on", "first_incident_on",
                "department", "municipality", "source", "narrative", "sensitivity", "version",
            )},
            "exploitation_forms": [t.code for t in case.exploitation_forms.all()],
        }


class PersonForm(forms.Form):
    """A person's identity and profile; one identity document and one phone (the API takes more)."""

    given_names = forms.CharField(label=_("Given names"), required=False, max_length=120)
    first_surname = forms.CharField(label=_("First (paternal) surname"), required=False, max_length=80)
    second_surname = forms.CharField(label=_("Second (maternal) surname"), required=False, max_length=80)
    aliases = forms.CharField(label=_("Aliases"), required=False, help_text=_("Separate several with commas."))
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=Sex.choices)
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=_blank(Gender.choices))
    birth_date = forms.CharField(label=_("Date of birth"), required=False, max_length=10, help_text=PARTIAL_DATE_HELP)
    citizenships = forms.CharField(label=_("Citizenships"), required=False,
                                   help_text=_("Country names or ISO codes, separated by commas."))
    document_type = forms.ChoiceField(label=_("Identity document"), required=False,
                                      choices=[("", "—"), ("CI", "CI"), ("DNI", "DNI"), ("CPF", "CPF"), ("PASSPORT", _("Passport")), ("OTHER", _("Other"))])
    document_number = forms.CharField(label=_("Document number"), required=False, max_length=40)
    document_country = forms.CharField(label=_("Issuing country"), required=False, max_length=40)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    languages = forms.CharField(label=_("Languages"), required=False, help_text=_("ISO 639 codes such as spa, aym, que, separated by commas."))
    indigenous_people = forms.CharField(label=_("Indigenous people"), required=False, max_length=80)
    education = forms.ChoiceField(label=_("Highest level of education"), required=False, choices=Education.choices)

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    PERSON_FIELDS = ("given_names", "first_surname", "second_surname", "aliases", "sex", "gender", "birth_date",
                     "citizenships", "document_type", "document_number", "document_country", "phone", "languages",
                     "indigenous_people", "education")

    def person_input(self) -> PersonInput:
        data = self.cleaned_data
        documents: tuple[DocumentInput, ...] = ()
        if data["document_number"]:
            documents = (DocumentInput(number=data["document_number"], document_type=data["document_type"],
                                       issuing_country=data["document_country"]),)
        contacts = (ContactInput(kind="phone", value=data["phone"]),) if data["phone"] else ()
        return PersonInput(
            given_names=data["given_names"], first_surname=data["first_surname"], second_surname=data["second_surname"],
            aliases=_split(data["aliases"]), sex=data["sex"], gender=data["gender"], birth_date=data["birth_date"],
            citizenships=_split(data["citizenships"]), languages=_split(data["languages"]),
            indigenous_people=data["indigenous_people"], education=data["education"],
            documents=documents, contacts=contacts,
        )

    @classmethod
    def initial_from(cls, person: Any) -> dict[str, Any]:
        document = next(iter(person.documents.all()), None)
        phone = next((c for c in person.contacts.all() if c.kind == "phone"), None)
        return {
            "given_names": person.given_names, "first_surname": person.first_surname,
            "second_surname": person.second_surname, "aliases": ", ".join(person.aliases), "sex": person.sex,
            "gender": person.gender, "birth_date": person.birth_date, "citizenships": ", ".join(person.citizenships),
            "document_type": document.document_type if document else "",
            "document_number": document.number_as_entered if document else "",
            "document_country": document.issuing_country if document else "",
            "phone": phone.value if phone else "", "languages": ", ".join(person.languages),
            "indigenous_people": person.indigenous_people, "education": person.education, "version": person.version,
        }


class ParticipationForm(forms.Form):
    """A person's role in a case and the HTCDS fields of that role."""

    role = forms.ChoiceField(label=_("Role in the case"), choices=_blank(ParticipationRole.choices))
    trafficking_status = forms.ChoiceField(label=_("Trafficking status"), required=False, choices=_blank(TraffickingStatus.choices))
    status_decided_by = forms.ChoiceField(label=_("Status decided by"), required=False, choices=_blank(StatusDecidedBy.choices))
    relationship_to_trafficker = forms.ChoiceField(label=_("Relationship to the trafficker"), required=False,
                                                   choices=_blank(RelationshipToTrafficker.choices))
    exploitation_forms = forms.MultipleChoiceField(label=_("Forms of exploitation"), required=False, widget=forms.CheckboxSelectMultiple)
    means_of_control = forms.MultipleChoiceField(label=_("Means of control"), required=False, widget=forms.CheckboxSelectMultiple)
    recruitment_methods = forms.MultipleChoiceField(label=_("Recruitment methods"), required=False, widget=forms.CheckboxSelectMultiple)
    forced_labour_industry = forms.ChoiceField(label=_("Forced-labour industry (ISIC)"), required=False)
    sexual_exploitation_types = forms.MultipleChoiceField(label=_("Types of sexual exploitation"), required=False,
                                                          choices=SexualExploitationType.choices, widget=forms.CheckboxSelectMultiple)
    recruitment_websites = forms.MultipleChoiceField(label=_("Recruitment websites and apps"), required=False,
                                                     choices=WebsiteOrApp.choices, widget=forms.CheckboxSelectMultiple)
    roles_in_process = forms.MultipleChoiceField(label=_("Role in the process (suspects)"), required=False,
                                                 choices=RoleInProcess.choices, widget=forms.CheckboxSelectMultiple)
    last_seen_on = forms.CharField(label=_("Date last seen (missing persons)"), required=False, max_length=10, help_text=PARTIAL_DATE_HELP)
    last_seen_place = forms.CharField(label=_("Place last seen (missing persons)"), required=False, max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exploitation_forms"].choices = term_choices(Vocabulary.EXPLOITATION_FORM)  # type: ignore[attr-defined]
        self.fields["means_of_control"].choices = term_choices(Vocabulary.MEANS_OF_CONTROL)  # type: ignore[attr-defined]
        self.fields["recruitment_methods"].choices = term_choices(Vocabulary.RECRUITMENT_METHOD)  # type: ignore[attr-defined]
        self.fields["forced_labour_industry"].choices = [("", "—"), *term_choices(Vocabulary.ISIC_INDUSTRY)]  # type: ignore[attr-defined]

    def participation_input(self) -> ParticipationInput:
        data = self.cleaned_data
        return ParticipationInput(
            role=data["role"], trafficking_status=data["trafficking_status"], status_decided_by=data["status_decided_by"],
            relationship_to_trafficker=data["relationship_to_trafficker"],
            exploitation_forms=tuple(data["exploitation_forms"]), means_of_control=tuple(data["means_of_control"]),
            recruitment_methods=tuple(data["recruitment_methods"]), forced_labour_industry=data["forced_labour_industry"],
            sexual_exploitation_types=tuple(data["sexual_exploitation_types"]),
            recruitment_websites=tuple(data["recruitment_websites"]), roles_in_process=tuple(data["roles_in_process"]),
            last_seen_on=data["last_seen_on"], last_seen_place=data["last_seen_place"],
        )

    @classmethod
    def initial_for(cls, participation: Any, version: int) -> dict[str, Any]:
        p = participation
        return {
            "role": p.role, "trafficking_status": p.trafficking_status, "status_decided_by": p.status_decided_by,
            "relationship_to_trafficker": p.relationship_to_trafficker,
            "exploitation_forms": [t.code for t in p.exploitation_forms.all()],
            "means_of_control": [t.code for t in p.means_of_control.all()],
            "recruitment_methods": [t.code for t in p.recruitment_methods.all()],
            "forced_labour_industry": p.forced_labour_industry.code if p.forced_labour_industry else "",
            "sexual_exploitation_types": p.sexual_exploitation_types, "recruitment_websites": p.recruitment_websites,
            "roles_in_process": p.roles_in_process, "last_seen_on": p.last_seen_on,
            "last_seen_place": p.last_seen_place, "version": version,
        }


class ParticipantForm(ParticipationForm, PersonForm):
    """A new person and their role in the case, in one step (or an existing person by number)."""

    existing_person = forms.IntegerField(label=_("Existing person number"), required=False, min_value=1,
                                         help_text=_("Leave empty to record a new person with the fields below."))


class RouteEventForm(forms.Form):
    event_type = forms.ChoiceField(label=_("Type"), choices=_blank(RouteEventType.choices))
    country = forms.CharField(label=_("Country"), max_length=40, help_text=_("A country name or ISO code, e.g. BOL or Argentina."))
    department = forms.ChoiceField(label=_("Department (Bolivia)"), required=False, choices=_blank(Department.choices))
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    border_crossing = forms.ChoiceField(label=_("Border crossing"), required=False)
    date = forms.CharField(label=_("Date"), required=False, max_length=10, help_text=PARTIAL_DATE_HELP)
    transport_mode = forms.ChoiceField(label=_("Transport"), choices=TransportMode.choices, initial=TransportMode.UNKNOWN)
    crossing = forms.ChoiceField(label=_("Crossing"), required=False, choices=CrossingType.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["border_crossing"].choices = [  # type: ignore[attr-defined]
            ("", "—"), *[(b.code, b.label) for b in BorderCrossing.objects.filter(is_active=True)]
        ]

    def to_input(self) -> RouteEventInput:
        return RouteEventInput(**{k: v for k, v in self.cleaned_data.items() if k != "version"})
