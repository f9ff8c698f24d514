"""Serializers of the vote API: scope, rule profiles, votes, electors, ballots, the tally
schema and the refusal body. The read helpers they share with the vote pages (counts, labels,
name masking) live in ``vote_reads.py``."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from linli.consultation import models as m
from linli.consultation.vote_reads import NameGate, dwelling_label, vote_compounds
from linli.core.api import field_error_messages
from linli.registry.models import Building, Dwelling, Stairwell


def _gate(serializer: serializers.Serializer) -> NameGate:
    context = cast(dict[str, Any], serializer.context)
    if "name_gate" not in context:
        request = context.get("request")
        context["name_gate"] = NameGate(getattr(request, "user", None))
    gate: NameGate = context["name_gate"]
    return gate


def _user(serializer: serializers.Serializer) -> Any:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def _errors(field_class: type[serializers.Field]) -> dict[str, Any]:
    return {"error_messages": field_error_messages(field_class)}


def no_object(pk: Any) -> str:
    return field_error_messages(serializers.PrimaryKeyRelatedField)["does_not_exist"].format(
        pk_value=pk
    )


# --- Scope ------------------------------------------------------------------------------------

SCOPE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": 'Exactly one key: {"compound": id}, {"buildings": [ids]} or '
    '{"stairwells": [ids]} (all in one compound; an elevator vote is held in the '
    "stairwells it serves).",
    "properties": {
        "compound": {"type": "integer"},
        "buildings": {"type": "array", "items": {"type": "integer"}, "minItems": 1},
        "stairwells": {"type": "array", "items": {"type": "integer"}, "minItems": 1},
    },
    "minProperties": 1,
    "maxProperties": 1,
    "additionalProperties": False,
}

_SCOPE_KEYS = ("compound", "buildings", "stairwells")


@extend_schema_field(SCOPE_SCHEMA)
class ScopeField(serializers.Field):
    """The vote's scope as ``{"compound": id}``, ``{"buildings": [..]}`` or
    ``{"stairwells": [..]}``; ids are resolved by the serializer (inside the caller's scope)."""

    default_error_messages = {
        "invalid": "须为只含一个键的对象:compound、buildings 或 stairwells (must be an object with "
        'exactly one key: "compound", "buildings" or "stairwells")',
        "ids": "须为 id 整数 (ids must be integers)",
        "empty": "至少选择一项 (choose at least one)",
        "required": field_error_messages(serializers.Field)["required"],
        "null": field_error_messages(serializers.Field)["null"],
    }

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or len(data) != 1 or next(iter(data)) not in _SCOPE_KEYS:
            self.fail("invalid")
        ((key, value),) = data.items()
        if key == "compound":
            if isinstance(value, bool) or not isinstance(value, int):
                raise serializers.ValidationError({key: [self.error_messages["ids"]]})
            return {key: value}
        if not isinstance(value, list) or not value:
            raise serializers.ValidationError({key: [self.error_messages["empty"]]})
        if any(isinstance(v, bool) or not isinstance(v, int) for v in value):
            raise serializers.ValidationError({key: [self.error_messages["ids"]]})
        return {key: list(dict.fromkeys(value))}

    def to_representation(self, vote: m.Vote) -> dict[str, Any]:
        if vote.scope_kind == m.VoteScope.BUILDINGS:
            return {"buildings": sorted(b.pk for b in vote.buildings.all())}
        if vote.scope_kind == m.VoteScope.STAIRWELLS:
            return {"stairwells": sorted(s.pk for s in vote.stairwells.all())}
        return {"compound": vote.compound_id}


# --- Rule profiles ----------------------------------------------------------------------------


class RuleProfileSerializer(serializers.ModelSerializer):
    """A rule profile: thresholds as text fractions ("2/3"; "0" for none)."""

    class Meta:
        model = m.RuleProfile
        fields = (
            "id",
            "code",
            "name",
            "basis",
            "participation_area",
            "participation_owners",
            "approval_area",
            "approval_owners",
            "approval_strict",
            "approval_base",
            "no_objection",
            "affected_consent",
            "active",
        )
        read_only_fields = fields


# --- Votes ------------------------------------------------------------------------------------


class VoteSerializer(serializers.ModelSerializer):
    """A vote as read: its scope, rule profile, dates, status, counts so far and result."""

    matter_label = serializers.CharField(source="get_matter_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    profile: serializers.SlugRelatedField[m.RuleProfile] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    profile_name = serializers.CharField(source="profile.name", read_only=True)
    compound_name = serializers.CharField(source="compound.name", read_only=True)
    scope = ScopeField(source="*", read_only=True)
    electors_count = serializers.IntegerField(read_only=True)
    ballots_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = m.Vote
        fields = (
            "id",
            "title",
            "description",
            "matter",
            "matter_label",
            "profile",
            "profile_name",
            "compound",
            "compound_name",
            "scope_kind",
            "scope",
            "affected_dwellings",
            "opens_at",
            "closes_at",
            "notice_days",
            "status",
            "status_label",
            "opened_at",
            "closed_at",
            "notice_ends_at",
            "finalised_at",
            "passed",
            "result_hash",
            "electors_count",
            "ballots_count",
            "created_by",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class VoteCreateSerializer(serializers.Serializer):
    """A new vote. Ids outside the caller's ``consultation.add_vote`` scope read as unknown."""

    title = serializers.CharField(max_length=128, **_errors(serializers.CharField))
    matter = serializers.ChoiceField(choices=m.Matter.choices, **_errors(serializers.ChoiceField))
    scope = ScopeField()
    profile = serializers.SlugRelatedField(
        slug_field="code",
        queryset=m.RuleProfile.objects.filter(active=True),
        required=False,
        help_text="Rule-profile code; default by matter (civil-code-major for raise_fund, "
        "rebuild and change_use, else civil-code-ordinary).",
        error_messages={
            **field_error_messages(serializers.SlugRelatedField),
            "does_not_exist": "编号为 {value} 的表决规则不存在 (no rule profile with code {value})",
            "invalid": "须为表决规则编号 (expected a rule-profile code)",
        },
    )
    opens_at = serializers.DateTimeField(
        required=False,
        help_text="Default: now (the vote opens at once).",
        **_errors(serializers.DateTimeField),
    )
    closes_at = serializers.DateTimeField(**_errors(serializers.DateTimeField))
    notice_days = serializers.IntegerField(
        required=False, min_value=0, max_value=365, **_errors(serializers.IntegerField)
    )
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, **_errors(serializers.CharField)
    )
    affected_dwellings = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=Dwelling.objects.all(),
        help_text="Dwellings whose exclusive part the matter touches (their consent may be "
        "required by the profile).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.compounds = vote_compounds(_user(self), "consultation.add_vote")
        field = self.fields["affected_dwellings"]
        relation = field.child_relation  # type: ignore[attr-defined]
        relation.queryset = Dwelling.objects.filter(
            stairwell__building__compound__in=self.compounds.values("pk")
        )
        relation.error_messages.update(field_error_messages(serializers.PrimaryKeyRelatedField))

    def validate_scope(self, value: dict[str, Any]) -> dict[str, Any]:
        ((key, ids),) = value.items()
        if key == "compound":
            compound = self.compounds.filter(pk=ids).first()
            if compound is None:
                raise serializers.ValidationError({key: [no_object(ids)]})
            return {"compound": compound}
        model: type[Building] | type[Stairwell] = Building if key == "buildings" else Stairwell
        path = "compound" if key == "buildings" else "building__compound"
        found = {
            obj.pk: obj
            for obj in model.objects.filter(
                pk__in=ids, **{f"{path}__in": self.compounds.values("pk")}
            )
        }
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise serializers.ValidationError({key: [no_object(pk) for pk in missing]})
        return {key: [found[pk] for pk in ids]}


# --- Electors and ballots ---------------------------------------------------------------------


class ElectorSerializer(serializers.ModelSerializer):
    """One dwelling of the electorate as snapshotted at opening. Owner names are masked
    without the personal data grant for the vote's compound."""

    dwelling_label = serializers.SerializerMethodField()
    owner_names = serializers.SerializerMethodField()
    voted = serializers.BooleanField(read_only=True)

    class Meta:
        model = m.Elector
        fields = (
            "id",
            "vote",
            "dwelling",
            "dwelling_label",
            "stairwell",
            "area",
            "voter_key",
            "owner_names",
            "is_developer",
            "affected",
            "voted",
        )
        read_only_fields = fields

    def get_dwelling_label(self, elector: m.Elector) -> str:
        return dwelling_label(elector.dwelling)

    def get_owner_names(self, elector: m.Elector) -> str:
        return _gate(self).show(elector.owner_names, elector.vote.compound_id)


class BallotSerializer(serializers.ModelSerializer):
    """A cast ballot with its place in the hash chain. Voter and proxy names are masked
    without the personal data grant; the scanned sheet is downloaded by scope."""

    dwelling_label = serializers.SerializerMethodField()
    choice_label = serializers.CharField(source="get_choice_display", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    voter_name = serializers.SerializerMethodField()
    proxy_name = serializers.SerializerMethodField()
    document_url = serializers.SerializerMethodField()

    class Meta:
        model = m.Ballot
        fields = (
            "id",
            "vote",
            "seq",
            "dwelling",
            "dwelling_label",
            "choice",
            "choice_label",
            "channel",
            "channel_label",
            "voter_name",
            "proxy_name",
            "document_url",
            "document_sha256",
            "cast_by",
            "cast_at",
            "prev_hash",
            "hash",
        )
        read_only_fields = fields

    def get_dwelling_label(self, ballot: m.Ballot) -> str:
        return dwelling_label(ballot.dwelling)

    def get_voter_name(self, ballot: m.Ballot) -> str:
        return _gate(self).show(ballot.voter_name, ballot.vote.compound_id)

    def get_proxy_name(self, ballot: m.Ballot) -> str:
        return _gate(self).show(ballot.proxy_name, ballot.vote.compound_id)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_document_url(self, ballot: m.Ballot) -> str | None:
        if not ballot.document:
            return None
        url = reverse("ballot-document", args=[ballot.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class BallotCreateSerializer(serializers.Serializer):
    """A ballot: the dwelling (one the caller sees), the choice and the channel; paper and
    proxy ballots carry the scanned sheet or the authorisation as ``document`` (multipart)."""

    dwelling = serializers.PrimaryKeyRelatedField(
        queryset=Dwelling.objects.all(), **_errors(serializers.PrimaryKeyRelatedField)
    )
    choice = serializers.ChoiceField(choices=m.Choice.choices, **_errors(serializers.ChoiceField))
    channel = serializers.ChoiceField(
        choices=m.BallotChannel.choices, **_errors(serializers.ChoiceField)
    )
    voter_name = serializers.CharField(
        required=False, allow_blank=True, max_length=64, **_errors(serializers.CharField)
    )
    proxy_name = serializers.CharField(
        required=False, allow_blank=True, max_length=64, **_errors(serializers.CharField)
    )
    document = serializers.FileField(
        required=False,
        help_text="Scanned ballot sheet (paper) or proxy authorisation (proxy).",
        **_errors(serializers.FileField),
    )

    def __init__(self, *args: Any, dwellings: QuerySet[Dwelling] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if dwellings is not None:
            self.fields["dwelling"].queryset = dwellings  # type: ignore[attr-defined]


# --- Tally (schema only: the body is vote_selectors.tally_for) --------------------------------


class _Part(serializers.Serializer):
    area = serializers.CharField(help_text="m², 2 decimal places")
    owners = serializers.IntegerField()


class _Measure(serializers.Serializer):
    area = serializers.CharField(help_text="m², 2 decimal places")
    area_ratio = serializers.CharField(help_text="4 decimal places (display only)")
    owners = serializers.IntegerField()
    owners_ratio = serializers.CharField(help_text="4 decimal places (display only)")
    met = serializers.BooleanField()


class _Counts(serializers.Serializer):
    yes = serializers.IntegerField()
    no = serializers.IntegerField()
    abstain = serializers.IntegerField()


_Objection = inline_serializer(
    name="VoteObjection",
    fields={
        "required": serializers.BooleanField(),
        "objections": serializers.IntegerField(),
        "met": serializers.BooleanField(),
    },
)

_Consent = inline_serializer(
    name="VoteConsent",
    fields={
        "required": serializers.BooleanField(),
        "missing_dwellings": serializers.ListField(child=serializers.IntegerField()),
        "met": serializers.BooleanField(),
    },
)


class _Rule(serializers.Serializer):
    participation = serializers.CharField(help_text='e.g. "2/3"')
    approval = serializers.CharField(help_text='e.g. "3/4"')
    approval_strict = serializers.BooleanField(help_text="more than (过半数) instead of at least")
    approval_base = serializers.CharField(help_text="participants or electorate")
    no_objection = serializers.BooleanField()
    affected_consent = serializers.BooleanField()


class TallySerializer(serializers.Serializer):
    """The count of a vote: the stored result once closed, else live. Comparisons are exact
    fractions; the decimal strings are for display."""

    electorate = _Part()
    participation = _Measure()
    approval = _Measure()
    ballots = _Counts()
    objection = _Objection
    consent = _Consent
    rule = _Rule()
    passed = serializers.BooleanField()
    chain_head = serializers.CharField(
        required=False, help_text="Stored result only: hash of the last ballot counted"
    )
    ballots_total = serializers.IntegerField(
        required=False, help_text="Stored result only: ballots counted"
    )
    closed_at = serializers.CharField(
        required=False, help_text="Stored result only: when the vote closed (UTC ISO-8601)"
    )


class VoteRefusalSerializer(serializers.Serializer):
    """A refused write: the rule broken, in Chinese and English."""

    detail = serializers.CharField()
    code = serializers.CharField()
    zh = serializers.CharField()
    en = serializers.CharField()
