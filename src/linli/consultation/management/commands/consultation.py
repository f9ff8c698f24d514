"""``linli consultation``: upkeep of the residents' consultation.

* ``linli consultation verify-ballots [--vote ID]`` re-computes every vote's ballot hash chain
  from the stored rows, the attached files' hashes and, for closed votes, the stored result's
  hash and chain head. Prints OK per sound vote; exits with status 1 and names the vote and
  ballot at the first break otherwise.
* ``linli consultation advance-votes [--now ISO]`` opens, closes and finalises the votes that
  are due, as the Celery beat job does.
* ``linli consultation demo [--if-empty]`` builds the demo surveys, visits, meetings and votes
  over the registry demo (``linli.consultation.demo``).
"""

from __future__ import annotations

import datetime
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from linli.core.errors import Invalid


def _moment(text: str) -> datetime.datetime:
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(
            f"时间“{text}”无法识别,请用 ISO-8601 格式 (cannot read {text!r}; use ISO-8601)"
        ) from exc
    return timezone.make_aware(value) if timezone.is_naive(value) else value


class Command(BaseCommand):
    help = "Owner votes and consultation upkeep (居民议事): verify ballots, advance votes, demo."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify-ballots", help="re-compute the ballot hash chains (核验表决票哈希链)"
        )
        verify.add_argument("--vote", type=int, default=None, help="only this vote (id)")
        advance = sub.add_parser(
            "advance-votes", help="open, close and finalise the votes that are due"
        )
        advance.add_argument(
            "--now",
            type=_moment,
            default=None,
            help="act as of this moment (ISO-8601; local time when no offset; default now)",
        )
        demo = sub.add_parser("demo", help="build the consultation demo (演示居民议事数据)")
        demo.add_argument(
            "--if-empty", action="store_true", help="do nothing when consultation data exist"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "verify-ballots":
            self._verify(options["vote"])
        elif action == "advance-votes":
            self._advance(options["now"])
        else:
            self._demo(options["if_empty"])

    def _verify(self, vote_id: int | None) -> None:
        from linli.consultation.models import Vote
        from linli.consultation.vote_selectors import verify_vote

        votes = Vote.objects.order_by("pk")
        if vote_id is not None:
            votes = votes.filter(pk=vote_id)
            if not votes.exists():
                raise CommandError(f"没有编号为 {vote_id} 的表决 (no vote with id {vote_id})")
        broken = 0
        for vote in votes.select_related("profile"):
            problems = verify_vote(vote)
            if problems:
                broken += 1
                for problem in problems:
                    self.stderr.write(problem)
            else:
                n = vote.ballots.count()
                self.stdout.write(
                    f"OK 表决 {vote.pk}「{vote.title}」:{n} 张票,哈希链完整 "
                    f"(vote {vote.pk}: {n} ballots, chain intact)"
                )
        if broken:
            raise CommandError(
                f"{broken} 项表决的表决票核验未通过,见上 "
                f"({broken} votes failed verification; see above)"
            )

    def _advance(self, now: datetime.datetime | None) -> None:
        from linli.consultation.services.votes import advance_votes

        counts = advance_votes(now=now)
        self.stdout.write(
            "开启 opened {opened}, 结束 closed {closed}, 生效 finalised {finalised}, "
            "未能开启 failed {failed}".format(**counts)
        )

    def _demo(self, if_empty: bool) -> None:
        from linli.consultation.demo import build_demo

        try:
            # build_demo prints its own summary line.
            build_demo(stdout=cast(IO[str], self.stdout), if_empty=if_empty)
        except Invalid as exc:
            raise CommandError(exc.message) from exc
