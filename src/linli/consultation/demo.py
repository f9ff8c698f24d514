"""The consultation demo: residents decide in 道南路70号院 and its neighbours.

Built over the registry demo and its accounts (``linli demo build``, ``linli demo accounts``),
through the consultation services only, as ``demo-community`` (the community worker of
道南路70号院) and ``demo-resident``:

* a survey over 道南路70号院 and up to three more compounds of its community (or, when the
  community has fewer, of its sub-district), with a ranking question whose options carry the
  renovation menu's codes (``linli.consultation.menu.menu_items()``: the catalogue);
* door-to-door visits reaching about 93 % of 道南路70号院's dwellings (a few nobody home,
  declined or moved out) and part of the other compounds, the answers entered during the
  visits (demo-resident answered on the phone), and each compound's demand ranking;
* a bench meeting, a neighbour meeting and an owner assembly with attendees and minutes;
* votes: the compound's renovation plan (passed, final), an elevator in one stairwell
  (failed: one owner objected, final), and an elevator in demo-resident's stairwell, open
  until a week after ``now`` with some paper ballots in.

Everything is dated relative to ``now`` (default: the clock) and drawn from a seeded random
generator, so two builds on the same registry and moment give the same data. The renovation
app is not imported: the menu comes from the registered menu source. The texts and tables
the demo draws from (wishes, questions, answers, meeting plans) are in ``demo_data.py``.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from linli.accounts.models import RoleAssignment
from linli.consultation import demo_data as data
from linli.consultation.menu import menu_items
from linli.consultation.models import (
    Choice,
    Elector,
    Matter,
    ResponseChannel,
    RuleProfile,
    Survey,
    VisitOutcome,
    Vote,
)
from linli.core.errors import Invalid
from linli.registry.models import Compound, Dwelling, Stairwell

DEFAULT_SEED = 410303
DAONAN_COMPOUND = "道南路70号院"
COMMUNITY_USERNAME = "demo-community"
RESIDENT_USERNAME = "demo-resident"
#: Other compounds of the survey (besides 道南路70号院), and how many of their dwellings the
#: workers have visited so far.
OTHER_COMPOUNDS = 3
OTHER_VISITS = 40


def _user(username: str) -> Any:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise Invalid(
            f"找不到演示账号 {username},请先运行 linli demo accounts",
            f"the demo account {username} is missing: run linli demo accounts first",
            "demo_accounts_missing",
        )
    return user


def _daonan() -> Compound:
    compound = (
        Compound.objects.select_related("community__subdistrict")
        .filter(name=DAONAN_COMPOUND)
        .first()
    )
    if compound is None:
        raise Invalid(
            f"演示数据中找不到{DAONAN_COMPOUND},请先运行 linli demo build",
            f"{DAONAN_COMPOUND} is not in the registry: run linli demo build first",
            "demo_missing",
        )
    return compound


def _neighbours(compound: Compound) -> list[Compound]:
    """Up to OTHER_COMPOUNDS more compounds of the same community (the worker's jurisdiction)
    that have dwellings."""
    others = (
        Compound.objects.filter(
            community=compound.community, buildings__stairwells__dwellings__isnull=False
        )
        .exclude(pk=compound.pk)
        .distinct()
        .order_by("code")
    )
    return list(others[:OTHER_COMPOUNDS])


def _dwellings(compound: Compound) -> list[Dwelling]:
    return list(
        Dwelling.objects.filter(stairwell__building__compound=compound)
        .select_related("stairwell__building")
        .order_by("stairwell__building__number", "stairwell__number", "floor", "number")
    )


def _resident_dwellings(resident: Any) -> list[Dwelling]:
    return list(
        Dwelling.objects.filter(
            pk__in=RoleAssignment.objects.filter(user=resident, dwelling__isnull=False).values(
                "dwelling"
            )
        )
        .select_related("stairwell__building")
        .order_by("pk")
    )


def _menu() -> list[tuple[str, str]]:
    """The ranking question's options: the wished-for items that are on the menu, then others."""
    menu = dict(menu_items())
    if not menu:
        raise Invalid(
            "改造菜单为空(改造内容库未登记为菜单来源)",
            "the renovation menu is empty (no menu source is registered)",
            "menu_empty",
        )
    codes = [code for code, _ in data.WISHES if code in menu]
    codes += [code for code in sorted(menu) if code not in codes]
    return [(code, menu[code]) for code in codes[: data.MENU_SIZE]]


def _at(now: datetime.datetime, days: float, hour: int = 10) -> datetime.datetime:
    """``days`` before ``now`` (negative: after), at ``hour`` o'clock district time."""
    moment = timezone.localtime(now - datetime.timedelta(days=days))
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _scan(name: str) -> ContentFile:
    return ContentFile(b"%PDF-1.4 demo scan of a paper sheet\n", name=name)


def data_exists() -> bool:
    """Whether any survey or vote exists (``if_empty`` then does nothing)."""
    return Survey.objects.exists() or Vote.objects.exists()


def build_demo(
    *, stdout: IO[str] | None = None, if_empty: bool = False, now: datetime.datetime | None = None
) -> dict[str, int]:
    """Build the consultation demo (see the module docstring); returns what was created."""
    started = time.monotonic()
    if if_empty and data_exists():
        if stdout is not None:
            stdout.write("已有问卷或表决,跳过 (consultation data exists; nothing to do)\n")
        return {}
    if data_exists():
        raise Invalid(
            "已有问卷或表决,演示数据只能在空库上生成",
            "surveys or votes exist: the demo builds on an empty consultation",
            "consultation_exists",
        )
    now = now or timezone.now()
    rng = random.Random(DEFAULT_SEED)
    with transaction.atomic():
        worker = _user(COMMUNITY_USERNAME)
        resident = _user(RESIDENT_USERNAME)
        daonan = _daonan()
        others = _neighbours(daonan)
        world = _Builder(rng=rng, now=now, worker=worker, resident=resident)
        survey = world.survey([daonan, *others])
        world.visits_and_answers(survey, daonan, _dwellings(daonan), share=None)
        for compound in others:
            world.visits_and_answers(survey, compound, _dwellings(compound), share=OTHER_VISITS)
        for compound in [daonan, *others]:
            world.ranking(survey, compound)
        world.meetings(daonan)
        world.votes(daonan)
    counts = dict(world.counts)
    if stdout is not None:
        stdout.write(
            "演示居民议事 (consultation demo): "
            + ", ".join(f"{k} {v}" for k, v in counts.items())
            + f"; {time.monotonic() - started:.1f} s\n"
        )
    return counts


class _Builder:
    """The demo's steps, sharing the generator, the moment and the actors."""

    def __init__(self, *, rng: random.Random, now: datetime.datetime, worker: Any, resident: Any):
        self.rng, self.now, self.worker, self.resident = rng, now, worker, resident
        self.counts: dict[str, int] = defaultdict(int)
        self.resident_dwellings = _resident_dwellings(resident)
        self.questions: dict[str, Any] = {}
        self.menu: list[tuple[str, str]] = []

    # --- Survey --------------------------------------------------------------------------

    def survey(self, compounds: Sequence[Compound]) -> Survey:
        from linli.consultation.services.surveys import add_question, create_survey, publish_version

        opened = _at(self.now, 75)
        survey = create_survey(
            by=self.worker,
            title=data.SURVEY_TITLE,
            description=data.SURVEY_DESCRIPTION,
            compounds=compounds,
            opens_on=opened.date(),
            closes_on=(self.now + datetime.timedelta(days=15)).date(),
        )
        version = survey.versions.get()
        self.menu = _menu()
        q = self.questions
        for key, spec in data.QUESTIONS:
            args = dict(spec)
            if "show_if" in args:
                args["show_if"] = q[args["show_if"]]
            if key == "menu":
                args["options"] = [(code.lower(), name, code) for code, name in self.menu]
            q[key] = add_question(version=version, by=self.worker, **args)
        publish_version(survey=survey, by=self.worker, now=opened)
        self.counts["surveys"] += 1
        return survey

    def _answers(self, weights: dict[str, int]) -> dict[int, Any]:
        rng, q = self.rng, self.questions
        support = rng.choices(["yes", "neutral", "no"], weights=[86, 9, 5])[0]
        answers: dict[int, Any] = {q["support"].pk: support}
        if support == "no":
            answers[q["why_not"].pk] = rng.choice(data.WHY_NOT_ANSWERS)
        codes = [code for code, _ in self.menu]
        pool = [(c, weights.get(c, 1)) for c in codes]
        ranked: list[str] = []
        for _ in range(rng.randint(2, 5)):
            total = sum(w for _, w in pool)
            pick = rng.uniform(0, total)
            for i, (code, weight) in enumerate(pool):
                pick -= weight
                if pick <= 0:
                    ranked.append(code.lower())
                    pool.pop(i)
                    break
        answers[q["menu"].pk] = ranked
        answers[q["people"].pk] = str(rng.choices([1, 2, 3, 4, 5], weights=[20, 45, 15, 12, 8])[0])
        answers[q["satisfaction"].pk] = {
            str(i): rng.choices(["good", "fair", "poor"], weights=w)[0]
            for i, w in enumerate(data.SATISFACTION_WEIGHTS)
        }
        if rng.random() < 0.15:
            answers[q["ideas"].pk] = rng.choice(data.IDEAS_ANSWERS)
        return answers

    def visits_and_answers(
        self, survey: Survey, compound: Compound, dwellings: list[Dwelling], share: int | None
    ) -> None:
        """Visits (all dwellings of 道南路70号院; ``share`` dwellings elsewhere) and the answers
        given during them; demo-resident answers online."""
        from linli.consultation.services.surveys import submit_response
        from linli.consultation.services.visits import record_visit

        rng = self.rng
        own = {d.pk for d in self.resident_dwellings}
        weights = dict(data.WISHES)
        if share is not None:  # another compound wants other things
            weights = {code: rng.randint(1, 10) for code, _ in self.menu}
            dwellings = rng.sample(dwellings, min(share, len(dwellings)))
        n = len(dwellings)
        outcomes = [VisitOutcome.VISITED] * n
        if share is None:
            misses = (
                [VisitOutcome.MOVED_OUT] * max(1, n * 2 // 100)
                + [VisitOutcome.DECLINED] * max(1, n * 2 // 100)
                + [VisitOutcome.NOBODY_HOME] * max(1, n * 25 // 1000)
            )
            candidates = [i for i, d in enumerate(dwellings) if d.pk not in own]
            for i, outcome in zip(rng.sample(candidates, len(misses)), misses, strict=True):
                outcomes[i] = outcome
        for dwelling, outcome in zip(dwellings, outcomes, strict=True):
            visited_at = _at(self.now, rng.uniform(46, 72), hour=rng.choice([9, 10, 15, 16, 19]))
            if outcome == VisitOutcome.VISITED and rng.random() < 0.1:
                record_visit(
                    survey=survey,
                    dwelling=dwelling,
                    outcome=VisitOutcome.NOBODY_HOME,
                    by=self.worker,
                    visited_at=visited_at - datetime.timedelta(days=3),
                    notes=data.RETRY_NOTE,
                )
                self.counts["visits"] += 1
            notes = data.VISIT_NOTES.get(outcome, "")
            record_visit(
                survey=survey,
                dwelling=dwelling,
                outcome=outcome,
                by=self.worker,
                visited_at=visited_at,
                notes=notes,
            )
            self.counts["visits"] += 1
            if outcome != VisitOutcome.VISITED or rng.random() < 0.04:
                continue  # some households had no time for the questionnaire
            mine = dwelling.pk in own
            submit_response(
                survey=survey,
                dwelling=dwelling,
                answers=self._answers(weights),
                by=self.resident if mine else self.worker,
                channel=ResponseChannel.ONLINE if mine else ResponseChannel.VISIT,
                now=visited_at + datetime.timedelta(minutes=20),
            )
            self.counts["responses"] += 1

    def ranking(self, survey: Survey, compound: Compound) -> None:
        from linli.consultation.services.demand import compute_ranking

        compute_ranking(compound=compound, by=self.worker, surveys=[survey], now=_at(self.now, 45))
        self.counts["rankings"] += 1

    # --- Meetings ----------------------------------------------------------------------------

    def meetings(self, compound: Compound) -> None:
        from linli.consultation.services.meetings import record_meeting

        dwellings = _dwellings(compound)
        rng = self.rng
        for kind, title, days, place, agenda, minutes, decisions, size in data.MEETING_PLANS:
            attendees = rng.sample(dwellings, min(size, len(dwellings)))
            record_meeting(
                by=self.worker,
                compound=compound,
                kind=kind,
                title=title,
                held_at=_at(self.now, days, hour=19),
                place=place,
                agenda=agenda,
                minutes=minutes,
                decisions=decisions,
                other_attendees=data.MEETING_GUESTS,
                attendees=[(d, "") for d in sorted(attendees, key=lambda d: d.pk)],
            )
            self.counts["meetings"] += 1

    # --- Votes -------------------------------------------------------------------------------

    def _ballots(
        self,
        vote: Vote,
        *,
        weights: tuple[int, int, int, int],
        when: datetime.datetime,
        skip: set[int] = frozenset(),  # type: ignore[assignment]
        force: dict[int, str] | None = None,
    ) -> None:
        """Paper ballots entered by the worker: one choice per owner (voter key), drawn from
        ``weights`` (yes, no, abstain, not voting); ``force`` fixes some dwellings' choice."""
        from linli.consultation.services.votes import cast_ballot

        rng, force = self.rng, force or {}
        electors = list(Elector.objects.filter(vote=vote).select_related("dwelling").order_by("pk"))
        by_key: dict[str, str] = {}
        for elector in electors:
            if elector.dwelling_id in force:
                by_key[elector.voter_key] = force[elector.dwelling_id]
        for elector in electors:
            if elector.dwelling_id in skip:
                continue
            if elector.voter_key not in by_key:
                by_key[elector.voter_key] = rng.choices(
                    [Choice.YES, Choice.NO, Choice.ABSTAIN, ""], weights=weights
                )[0]
            choice = by_key[elector.voter_key]
            if not choice:
                continue
            cast_ballot(
                vote=vote,
                dwelling=elector.dwelling,
                choice=choice,
                channel="paper",
                by=self.worker,
                voter_name=(elector.owner_names or "").split("、")[0][:64],
                document=_scan(f"ballot-{vote.pk}-{elector.dwelling_id}.pdf"),
                now=when + datetime.timedelta(minutes=elector.pk % 600),
            )
            self.counts["ballots"] += 1

    def _stairwell(self, compound: Compound, exclude: set[int]) -> Stairwell:
        return (
            Stairwell.objects.filter(building__compound=compound)
            .exclude(pk__in=exclude)
            .order_by("building__number", "number")
            .first()
        ) or Stairwell.objects.filter(building__compound=compound).order_by("pk").first()  # type: ignore[return-value]

    def votes(self, compound: Compound) -> None:
        from linli.consultation.services.votes import (
            close_vote,
            create_vote,
            finalise_vote,
        )

        profiles = {p.code: p for p in RuleProfile.objects.all()}
        # The renovation plan: the whole compound, 80% of the owners (Luoyang), passed.
        opens = _at(self.now, 40, hour=9)
        plan = create_vote(
            by=self.worker,
            title=data.PLAN_TITLE,
            matter=Matter.REBUILD,
            compound=compound,
            profile=profiles.get("luoyang-80"),
            opens_at=opens,
            closes_at=_at(self.now, 26, hour=18),
            notice_days=7,
            description=data.PLAN_DESCRIPTION,
            now=opens,
        )
        self._ballots(plan, weights=(90, 3, 1, 6), when=_at(self.now, 38))
        close_vote(plan, by=self.worker, now=_at(self.now, 26, hour=18))
        finalise_vote(plan, by=self.worker, now=_at(self.now, 19, hour=18))
        self.counts["votes"] += 1

        home = {d.stairwell_id for d in self.resident_dwellings}
        # An elevator in another stairwell: one first-floor owner objects, so it fails.
        failed_well = self._stairwell(compound, home)
        opens = _at(self.now, 35, hour=9)
        elevator = create_vote(
            by=self.worker,
            title=f"{failed_well.building.number}号楼{failed_well.number}单元加装电梯",
            matter=Matter.REBUILD,
            stairwells=[failed_well],
            profile=profiles.get("beijing-no-objection"),
            opens_at=opens,
            closes_at=_at(self.now, 21, hour=18),
            now=opens,
        )
        ground = Dwelling.objects.filter(stairwell=failed_well).order_by("floor", "number").first()
        self._ballots(
            elevator,
            weights=(92, 0, 3, 5),
            when=_at(self.now, 30),
            force={ground.pk: Choice.NO} if ground else None,
        )
        close_vote(elevator, by=self.worker, now=_at(self.now, 21, hour=18))
        finalise_vote(elevator, by=self.worker, now=_at(self.now, 14, hour=18))
        self.counts["votes"] += 1

        # An elevator in demo-resident's stairwell: open for another week.
        if not self.resident_dwellings:
            return
        well = self.resident_dwellings[0].stairwell
        affected = list(Dwelling.objects.filter(stairwell=well, floor=1).order_by("number"))
        opens = _at(self.now, 3, hour=9)
        current = create_vote(
            by=self.worker,
            title=f"{well.building.number}号楼{well.number}单元加装电梯",
            matter=Matter.REBUILD,
            stairwells=[well],
            profile=profiles.get("elevator-affected-consent"),
            opens_at=opens,
            closes_at=self.now + datetime.timedelta(days=7),
            description=data.ELEVATOR_DESCRIPTION,
            affected_dwellings=affected,
            now=opens,
        )
        skip = {d.pk for d in self.resident_dwellings}
        self._ballots(current, weights=(45, 5, 3, 47), when=_at(self.now, 2), skip=skip)
        self.counts["votes"] += 1
        self.counts["open_votes"] += 1
