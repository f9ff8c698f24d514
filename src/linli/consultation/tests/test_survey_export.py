"""The survey export: open the CSV and the workbook again and check the cells."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from linli.consultation.services import surveys as s
from linli.consultation.survey_export import to_csv, to_xlsx
from linli.consultation.tests.factories import (
    community_worker,
    resident_of,
    stairwell_with_owners,
)
from linli.registry.tests.factories import CompoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered():
    compound = CompoundFactory(name="道南路70号院")
    dwellings = list(
        stairwell_with_owners(compound=compound, storeys=1, per_floor=2).dwellings.order_by(
            "number"
        )
    )
    worker = community_worker(compound)
    worker.first_name, worker.last_name = "小张", ""
    worker.save()
    survey = s.create_survey(by=worker, title="改造意愿", compounds=[compound])
    v = survey.versions.get()
    qs = [
        s.add_question(
            version=v,
            by=worker,
            kind="single",
            text="是否愿意",
            options=[("yes", "愿意", ""), ("no", "不愿意", "")],
        ),
        s.add_question(
            version=v,
            by=worker,
            kind="multiple",
            text="想改什么",
            options=[("roof", "屋面", ""), ("pipe", "管网", ""), ("lift", "电梯", "")],
        ),
        s.add_question(
            version=v,
            by=worker,
            kind="ranking",
            text="先后",
            options=[("roof", "屋面", ""), ("pipe", "管网", ""), ("lift", "电梯", "")],
        ),
        s.add_question(version=v, by=worker, kind="number", text="人数"),
        s.add_question(version=v, by=worker, kind="text", text="建议", required=False),
        s.add_question(
            version=v,
            by=worker,
            kind="matrix",
            text="满意度",
            rows=["物业", "环境"],
            options=[("good", "满意", ""), ("bad", "不满意", "")],
        ),
    ]
    s.publish_version(survey=survey, by=worker)
    s.submit_response(
        survey=survey,
        dwelling=dwellings[0],
        by=worker,
        channel="visit",
        answers={
            qs[0].pk: "yes",
            qs[1].pk: ["lift", "roof"],
            qs[2].pk: ["lift", "pipe"],
            qs[3].pk: "3",
            qs[4].pk: '=HYPERLINK("x")',
            qs[5].pk: {"0": "good", "1": "bad"},
        },
    )
    resident = resident_of(dwellings[1])
    s.submit_response(
        survey=survey,
        dwelling=dwellings[1],
        by=resident,
        channel="online",
        answers={
            qs[0].pk: "no",
            qs[1].pk: ["pipe"],
            qs[2].pk: ["roof"],
            qs[3].pk: "1.5",
            qs[5].pk: {"0": "bad", "1": "bad"},
        },
    )
    return survey, worker, resident, dwellings


HEADERS = [
    "房屋地址",
    "填写方式",
    "提交时间",
    "录入人",
    "版本",
    "是否愿意",
    "想改什么",
    "先后",
    "人数",
    "建议",
    "满意度·物业",
    "满意度·环境",
]


def test_the_csv_has_a_bom_and_one_row_per_response(answered):
    survey, worker, _, dwellings = answered
    data = to_csv(survey, worker)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    first = rows[1]
    assert first[0] == str(dwellings[0]) and first[1] == "入户填写" and first[4] == "v1"
    assert first[3] == worker.get_full_name()
    assert first[5:] == [
        "愿意",
        "屋面、电梯",
        "1.电梯 2.管网",
        "3",
        '\'=HYPERLINK("x")',
        "满意",
        "不满意",
    ]
    assert rows[2][1] == "居民手机填写" and rows[2][5:] == [
        "不愿意",
        "管网",
        "1.屋面",
        "1.5",
        "",
        "不满意",
        "不满意",
    ]


def test_the_workbook_holds_the_same_cells(answered):
    survey, worker, _, _ = answered
    sheet = load_workbook(io.BytesIO(to_xlsx(survey, worker))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == HEADERS
    assert values[1][5:] == [
        "愿意",
        "屋面、电梯",
        "1.电梯 2.管网",
        "3",
        '=HYPERLINK("x")',
        "满意",
        "不满意",
    ]
    assert sheet.cell(row=2, column=10).data_type == "s"  # text, never a formula
    assert len(values) == 3


def test_a_resident_exports_only_their_own_response(answered):
    survey, _, resident, dwellings = answered
    rows = list(csv.reader(io.StringIO(to_csv(survey, resident).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [str(dwellings[1])]


def test_questions_carried_into_a_new_version_keep_one_column(answered):
    survey, worker, _, dwellings = answered
    draft = s.new_version(survey=survey, by=worker)
    s.add_question(version=draft, by=worker, kind="text", text="新增的问题", required=False)
    v2 = s.publish_version(survey=survey, by=worker)
    by_text = {q.text: q for q in v2.questions.all()}
    s.submit_response(
        survey=survey,
        dwelling=dwellings[0],
        by=worker,
        channel="visit",
        answers={
            by_text["是否愿意"].pk: "no",
            by_text["想改什么"].pk: ["roof"],
            by_text["先后"].pk: ["roof"],
            by_text["人数"].pk: "2",
            by_text["满意度"].pk: {"0": "good", "1": "good"},
            by_text["新增的问题"].pk: "好",
        },
    )
    rows = list(csv.reader(io.StringIO(to_csv(survey, worker).decode("utf-8-sig"))))
    assert rows[0] == [*HEADERS, "新增的问题"]
    mine = next(r for r in rows[1:] if r[0] == str(dwellings[0]))
    assert mine[4] == "v2" and mine[5] == "不愿意" and mine[-1] == "好"
    theirs = next(r for r in rows[1:] if r[0] == str(dwellings[1]))
    assert theirs[4] == "v1" and theirs[5] == "不愿意" and theirs[-1] == ""
