"""The web flow: upload -> preview -> confirm -> imported; errors; permissions."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from linli.accounts.roles import Role
from linli.accounts.tests.factories import user_with_role
from linli.registry import models
from linli.registry.models_upload import RegistryUpload, UploadStatus
from linli.registry.tasks import apply_registry_upload
from linli.registry.tests.factories import (
    CommunityFactory,
    DistrictFactory,
    DwellingFactory,
    ZoneFactory,
)
from linli.registry.tests.workbooks import Rows, changed, sample_rows, write_workbook

pytestmark = pytest.mark.django_db

UPLOAD = reverse("registry_import:upload")


@pytest.fixture
def rows() -> Rows:
    community = CommunityFactory()
    return sample_rows(community, ZoneFactory(district=community.subdistrict.district))


def importer(django_user_model, username: str = "clerk"):
    """District office staff: their role grants the import permissions in the whole district."""
    return user_with_role(Role.DISTRICT_OFFICE, username, district=DistrictFactory())


@pytest.fixture
def clerk(django_user_model):
    return importer(django_user_model)


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


def xlsx(tmp_path: Path, rows: Rows) -> SimpleUploadedFile:
    path = write_workbook(tmp_path / "registry.xlsx", rows)
    return SimpleUploadedFile("西工区登记簿.xlsx", path.read_bytes())


def upload(client, tmp_path: Path, rows: Rows):
    return client.post(UPLOAD, {"file": xlsx(tmp_path, rows)}, follow=True)


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(UPLOAD)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "url", [UPLOAD, reverse("registry_import:template"), reverse("registry_import:export")]
)
def test_a_user_without_the_compound_permissions_gets_403(client, django_user_model, url):
    client.force_login(django_user_model.objects.create_user(username="reader"))

    assert client.get(url).status_code == 403


def test_a_user_without_the_compound_permissions_cannot_upload(
    client, django_user_model, tmp_path, rows
):
    client.force_login(django_user_model.objects.create_user(username="reader"))

    response = client.post(UPLOAD, {"file": xlsx(tmp_path, rows)})

    assert response.status_code == 403
    assert not RegistryUpload.objects.exists()


def test_the_upload_page_links_the_template_and_the_export(clerk_client):
    response = clerk_client.get(UPLOAD)

    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("registry_import:template") in content
    assert reverse("registry_import:export") in content


def test_an_upload_shows_the_preview_with_counts_and_writes_nothing(clerk_client, tmp_path, rows):
    response = upload(clerk_client, tmp_path, rows)

    assert response.templates[0].name == "registry/import/preview.html"
    content = response.content.decode()
    assert 'data-sheet="房屋" data-created="2"' in content
    assert 'data-sheet="业主" data-created="3"' in content
    assert RegistryUpload.objects.get().status == UploadStatus.PREVIEWED
    assert not models.Compound.objects.exists()


def test_the_preview_lists_the_field_changes(
    clerk_client, tmp_path, rows, django_capture_on_commit_callbacks
):
    upload(clerk_client, tmp_path, rows)
    with django_capture_on_commit_callbacks(execute=True):
        clerk_client.post(
            reverse("registry_import:confirm", args=[RegistryUpload.objects.get().pk])
        )

    response = upload(clerk_client, tmp_path, changed(rows, "小区", 0, name="新名"))

    assert (
        "小区 XG0001 名称: <del>道南路12号院</del> -&gt; <ins>新名</ins>"
        in response.content.decode()
    )


def test_confirming_a_preview_imports_the_workbook(
    clerk_client, tmp_path, rows, django_capture_on_commit_callbacks
):
    upload(clerk_client, tmp_path, rows)
    pending = RegistryUpload.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        clerk_client.post(reverse("registry_import:confirm", args=[pending.pk]))

    pending.refresh_from_db()
    assert pending.status == UploadStatus.APPLIED and pending.applied_at is not None
    response = clerk_client.get(reverse("registry_import:detail", args=[pending.pk]))
    assert response.templates[0].name == "registry/import/result.html"
    assert 'data-status="applied"' in response.content.decode()
    assert models.Dwelling.objects.count() == 2


def test_a_confirmed_upload_is_queued_until_the_transaction_commits(
    clerk_client, tmp_path, rows, django_capture_on_commit_callbacks
):
    upload(clerk_client, tmp_path, rows)
    pending = RegistryUpload.objects.get()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        clerk_client.post(reverse("registry_import:confirm", args=[pending.pk]))

    pending.refresh_from_db()
    assert pending.status == UploadStatus.QUEUED
    assert len(callbacks) == 1
    assert not models.Compound.objects.exists()


def test_the_import_checks_the_workbook_again_when_it_runs(
    clerk_client, tmp_path, rows, django_capture_on_commit_callbacks
):
    upload(clerk_client, tmp_path, rows)
    pending = RegistryUpload.objects.get()
    models.Community.objects.all().delete()  # the registry changed after the preview

    with django_capture_on_commit_callbacks(execute=True):
        clerk_client.post(reverse("registry_import:confirm", args=[pending.pk]))

    pending.refresh_from_db()
    assert pending.status == UploadStatus.FAILED
    assert pending.errors[0]["column"] == "社区代码"
    assert not models.Compound.objects.exists()


def test_an_upload_cannot_be_confirmed_twice(
    clerk_client, tmp_path, rows, django_capture_on_commit_callbacks
):
    upload(clerk_client, tmp_path, rows)
    pending = RegistryUpload.objects.get()
    confirm = reverse("registry_import:confirm", args=[pending.pk])
    with django_capture_on_commit_callbacks(execute=True):
        clerk_client.post(confirm)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = clerk_client.post(confirm, follow=True)

    assert callbacks == []
    assert "only a previewed upload" in response.content.decode()


def test_a_workbook_with_errors_shows_them_and_cannot_be_confirmed(
    clerk_client, tmp_path, rows, django_capture_on_commit_callbacks
):
    response = upload(clerk_client, tmp_path, changed(rows, "楼栋", 0, storeys=41))

    assert response.templates[0].name == "registry/import/errors.html"
    content = response.content.decode()
    assert "须在 1–40 之间" in content and "must be between 1 and 40" in content
    assert "<td>楼栋</td>" in content and "C 地上层数" in content
    bad = RegistryUpload.objects.get()
    assert (bad.status, bad.error_count) == (UploadStatus.INVALID, 1)

    with django_capture_on_commit_callbacks(execute=True):
        clerk_client.post(reverse("registry_import:confirm", args=[bad.pk]))

    assert not models.Compound.objects.exists()


def test_a_file_that_is_not_xlsx_is_refused_by_the_form(clerk_client):
    response = clerk_client.post(UPLOAD, {"file": SimpleUploadedFile("registry.csv", b"a,b\n")})

    assert response.status_code == 200
    assert "only .xlsx Excel workbooks are accepted" in response.content.decode()
    assert not RegistryUpload.objects.exists()


def test_a_colleague_cannot_see_or_confirm_someone_elses_upload(
    client, clerk_client, django_user_model, tmp_path, rows
):
    upload(clerk_client, tmp_path, rows)
    theirs = RegistryUpload.objects.get()
    client.force_login(importer(django_user_model, "colleague"))

    assert client.get(reverse("registry_import:detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("registry_import:confirm", args=[theirs.pk])).status_code == 404


def test_a_superuser_can_see_any_upload(client, clerk_client, django_user_model, tmp_path, rows):
    upload(clerk_client, tmp_path, rows)
    admin = django_user_model.objects.create_superuser(username="admin")
    client.force_login(admin)

    response = client.get(reverse("registry_import:detail", args=[RegistryUpload.objects.get().pk]))

    assert response.status_code == 200


def test_the_blank_template_downloads_as_a_workbook(clerk_client):
    response = clerk_client.get(reverse("registry_import:template"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames[:5] == ["小区", "楼栋", "单元", "房屋", "业主"]


def test_the_export_downloads_the_current_registry(clerk_client):
    dwelling = DwellingFactory()

    response = clerk_client.get(reverse("registry_import:export"))

    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book["房屋"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3]) for r in rows] == [
        (dwelling.stairwell.building.compound.code, dwelling.number)
    ]


def test_a_redelivered_import_task_leaves_an_applied_upload_alone(
    clerk_client, tmp_path, rows, django_capture_on_commit_callbacks
):
    upload(clerk_client, tmp_path, rows)
    done = RegistryUpload.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        clerk_client.post(reverse("registry_import:confirm", args=[done.pk]))
    done.refresh_from_db()

    status = apply_registry_upload(done.pk)

    assert status == UploadStatus.APPLIED
    assert RegistryUpload.objects.get().applied_at == done.applied_at
