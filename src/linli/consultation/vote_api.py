"""REST API of owner votes (业主共同决定) on ``linli.core.api.router``:

* ``/api/v1/votes/`` — create (``title``, ``matter``, ``scope``, ``profile``, ``opens_at``,
  ``closes_at``, ...), list (filters ``status``, ``matter``, ``compound``), detail; actions
  ``ballots`` (GET list / POST cast), ``tally``, ``electors``, ``open``, ``close``,
  ``finalise``, ``cancel``.
* ``/api/v1/ballots/`` — the ballots the caller may see; ``{id}/document/`` the scanned sheet.
* ``/api/v1/rule-profiles/`` — the rule profiles (read-only).

Writes go through ``services/votes.py``; a broken rule there is a 400 (``Invalid``) or, for a
refused ballot or transition, a 409, each with ``detail``, ``code``, ``zh`` and ``en``.
See docs/consultation/vote-api.md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, parsers, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from linli.consultation import models as m
from linli.consultation import vote_reads as reads
from linli.consultation import vote_selectors
from linli.consultation import vote_serializers as s
from linli.consultation.services import votes as services
from linli.core.api import BilingualFilterSet, IntFilter, router
from linli.core.errors import Invalid
from linli.core.scoping import scoped
from linli.registry.models import Dwelling


class Refused(exceptions.APIException):
    """A service refused the write: 409 (or 400), with the reason in both languages."""

    status_code: int = status.HTTP_409_CONFLICT
    default_code = "refused"

    def __init__(self, exc: Invalid, status_code: int = status.HTTP_409_CONFLICT) -> None:
        super().__init__({"detail": exc.message, "code": exc.code, "zh": exc.zh, "en": exc.en})
        self.status_code = status_code


def _refusals(extra: dict[int, Any]) -> dict[int, Any]:
    return {
        403: OpenApiResponse(description="No permission for this vote"),
        404: OpenApiResponse(description="The vote is outside the caller's scope"),
        409: OpenApiResponse(s.VoteRefusalSerializer, description="Refused, with the reason"),
        **extra,
    }


class VoteFilter(BilingualFilterSet):
    """Votes by status, matter or compound."""

    compound = IntFilter(field_name="compound")

    class Meta:
        model = m.Vote
        fields = ("status", "matter", "compound")


class VoteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Owner votes of the compounds the caller sees (a resident: the votes of their dwelling)."""

    queryset = m.Vote.objects.select_related("profile", "compound").prefetch_related(
        "buildings", "stairwells", "affected_dwellings"
    )
    serializer_class = s.VoteSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filterset_class = VoteFilter
    search_fields = ("title", "description")
    ordering_fields = ("id", "opens_at", "closes_at", "status")

    def get_queryset(self) -> QuerySet[m.Vote]:
        return scoped(reads.with_counts(self.queryset.all()), self.request.user)

    def _read(self, vote: m.Vote) -> dict[str, Any]:
        fresh = self.get_queryset().get(pk=vote.pk)
        return s.VoteSerializer(fresh, context=self.get_serializer_context()).data

    def _vote_for(self, permission: str) -> m.Vote:
        """The vote of the URL: visible (else 404) and inside ``permission``'s scope (else 403)."""
        vote = self.get_object()
        if not scoped(m.Vote, self.request.user, permission).filter(pk=vote.pk).exists():
            raise exceptions.PermissionDenied()
        return vote

    @extend_schema(
        summary="Put a matter to the owners",
        request=s.VoteCreateSerializer,
        responses={
            201: s.VoteSerializer,
            400: OpenApiResponse(description="A field is wrong, or the service refuses"),
            403: OpenApiResponse(description="No consultation.add_vote anywhere"),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create (and, when ``opens_at`` is not in the future, open) a vote."""
        if not request.user.has_perm("consultation.add_vote"):
            raise exceptions.PermissionDenied()
        body = s.VoteCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        scope = data.pop("scope")
        try:
            vote = services.create_vote(by=request.user, **scope, **data)
        except Invalid as exc:
            raise Refused(exc, status.HTTP_400_BAD_REQUEST) from exc
        return Response(self._read(vote), status=status.HTTP_201_CREATED)

    # --- ballots ---------------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="The vote's ballots the caller may see",
        responses={200: s.BallotSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Cast a ballot (online: the resident; paper or proxy: staff, with a document)",
        request={
            "multipart/form-data": s.BallotCreateSerializer,
            "application/json": s.BallotCreateSerializer,
        },
        responses=_refusals(
            {
                201: s.BallotSerializer,
                400: OpenApiResponse(description="A field is wrong (unknown dwelling, choice ...)"),
            }
        ),
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[parsers.MultiPartParser, parsers.FormParser, parsers.JSONParser],
        filterset_class=None,
    )
    def ballots(self, request: Request, pk: str | None = None) -> Response:
        """GET: the ballots in ``seq`` order; POST: one ballot per dwelling, 409 when refused
        (``already_voted``, ``conflicting_choice``, ``not_open``, ``document_required`` ...)."""
        vote = self.get_object()
        user = request.user
        if request.method == "GET":
            ballots = scoped(reads.ballots_queryset().filter(vote=vote), user).order_by("seq")
            page = self.paginate_queryset(ballots)
            data = s.BallotSerializer(page, many=True, context=self.get_serializer_context()).data
            return self.get_paginated_response(data)
        body = s.BallotCreateSerializer(
            data=request.data,
            context=self.get_serializer_context(),
            dwellings=scoped(Dwelling, user),
        )
        body.is_valid(raise_exception=True)
        try:
            ballot = services.cast_ballot(vote=vote, by=user, **body.validated_data)
        except services.BallotRefused as exc:
            raise Refused(exc) from exc
        except Invalid as exc:
            raise Refused(exc, status.HTTP_400_BAD_REQUEST) from exc
        ballot = reads.ballots_queryset().get(pk=ballot.pk)
        data = s.BallotSerializer(ballot, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    # --- reads -----------------------------------------------------------------------------

    @extend_schema(
        summary="The tally (stored result once closed, else live)",
        responses={200: s.TallySerializer},
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def tally(self, request: Request, pk: str | None = None) -> Response:
        """Electorate, participation and approval by area and by headcount, the rule, and
        whether the matter passed."""
        return Response(vote_selectors.tally_for(self.get_object()))

    @extend_schema(
        summary="The electorate snapshotted at opening (a resident: their own rows)",
        responses={200: s.ElectorSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def electors(self, request: Request, pk: str | None = None) -> Response:
        """Dwellings, areas and voter keys; owner names only with the personal data grant."""
        vote = self.get_object()
        electors = scoped(reads.electors_queryset().filter(vote=vote), request.user)
        page = self.paginate_queryset(electors)
        data = s.ElectorSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    # --- transitions -----------------------------------------------------------------------

    def _transition(self, run: Callable[[m.Vote, Any], m.Vote]) -> Response:
        vote = self._vote_for("consultation.change_vote")
        try:
            vote = run(vote, self.request.user)
        except Invalid as exc:
            raise Refused(exc) from exc
        return Response(self._read(vote))

    @extend_schema(
        summary="Open a scheduled vote (snapshot the electorate)",
        request=None,
        responses=_refusals({200: s.VoteSerializer}),
    )
    @action(detail=True, methods=["post"], url_path="open", filterset_class=None)
    def open_vote(self, request: Request, pk: str | None = None) -> Response:
        """Open now: the electorate (dwellings, areas, owners) is frozen."""
        return self._transition(lambda vote, by: services.open_vote(vote, by=by))

    @extend_schema(
        summary="Close the vote and store the result (public notice begins)",
        request=None,
        responses=_refusals({200: s.VoteSerializer}),
    )
    @action(detail=True, methods=["post"], url_path="close", filterset_class=None)
    def close_vote(self, request: Request, pk: str | None = None) -> Response:
        """At or after ``closes_at``: the tally is stored with its hash; ballots freeze."""
        return self._transition(lambda vote, by: services.close_vote(vote, by=by))

    @extend_schema(
        summary="Make the result final after the notice period",
        request=None,
        responses=_refusals({200: s.VoteSerializer}),
    )
    @action(detail=True, methods=["post"], url_path="finalise", filterset_class=None)
    def finalise_vote(self, request: Request, pk: str | None = None) -> Response:
        """After ``notice_ends_at``: status final."""
        return self._transition(lambda vote, by: services.finalise_vote(vote, by=by))

    @extend_schema(
        summary="Cancel a vote on which nobody has voted",
        request=None,
        responses=_refusals({200: s.VoteSerializer}),
    )
    @action(detail=True, methods=["post"], url_path="cancel", filterset_class=None)
    def cancel_vote(self, request: Request, pk: str | None = None) -> Response:
        """Only while no ballot has been cast."""
        return self._transition(lambda vote, by: services.cancel_vote(vote, by=by))


class BallotFilter(BilingualFilterSet):
    """Ballots by vote, choice or channel."""

    vote = IntFilter(field_name="vote")

    class Meta:
        model = m.Ballot
        fields = ("vote", "choice", "channel")


class BallotViewSet(viewsets.ReadOnlyModelViewSet):
    """Cast ballots the caller may see (a resident: their own); cast through
    ``votes/{id}/ballots/``. Ballots never change."""

    queryset = reads.ballots_queryset()
    serializer_class = s.BallotSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filterset_class = BallotFilter
    ordering_fields = ("id", "seq", "cast_at")

    def get_queryset(self) -> QuerySet[m.Ballot]:
        return scoped(self.queryset.all(), self.request.user)

    @extend_schema(
        summary="The scanned sheet or proxy authorisation (for whoever sees the ballot)",
        responses={(200, "application/octet-stream"): bytes},
    )
    @action(detail=True, methods=["get"], url_path="document", url_name="document")
    def document(self, request: Request, pk: str | None = None) -> FileResponse:
        """Media files are not public: the document is served here, by scope."""
        ballot = self.get_object()
        if not ballot.document:
            raise exceptions.NotFound()
        try:
            handle = ballot.document.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            raise exceptions.NotFound() from exc
        return FileResponse(handle, filename=Path(ballot.document.name or "ballot").name)


class RuleProfileViewSet(viewsets.ReadOnlyModelViewSet):
    """Rule profiles (表决规则): the Civil Code's and local ones; the district office edits
    them in the admin."""

    queryset = m.RuleProfile.objects.all()
    serializer_class = s.RuleProfileSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filterset_fields = ("active", "code")
    ordering_fields = ("id", "code")

    def get_queryset(self) -> QuerySet[m.RuleProfile]:
        return scoped(self.queryset.all(), self.request.user)


router.register("votes", VoteViewSet)
router.register("ballots", BallotViewSet)
router.register("rule-profiles", RuleProfileViewSet)
