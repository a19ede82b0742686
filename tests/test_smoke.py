import pytest

from scorecard.complaints.models import BusinessType, Detail, SubCategory
from scorecard.grid.models import Department, OrgUnit


@pytest.mark.django_db
def test_seeded_taxonomy_and_departments():
    assert list(Department.objects.values_list("name", flat=True)) == ["营销", "运检", "发展", "基建", "调控"]
    assert BusinessType.objects.get(name="投诉").counts_as_complaint
    assert BusinessType.objects.filter(counts_as_complaint=True).count() == 1
    assert BusinessType.objects.get(name="举报").sla_working_days == 9
    assert set(Detail.objects.filter(subcategory__name="电压质量长时间异常").values_list("name", flat=True)) == {
        "过电压", "低电压"}
    assert SubCategory.objects.filter(category__name="营业").count() == 6


@pytest.mark.django_db
def test_org_unit_path_and_city():
    province = OrgUnit.objects.create(name="省公司", level="province")
    city = OrgUnit.objects.create(name="国网长沙供电公司", level="city", parent=province)
    county = OrgUnit.objects.create(name="长沙县供电公司", level="county", parent=city)
    station = OrgUnit.objects.create(name="星沙供电所", level="station", parent=county)
    station.refresh_from_db()
    assert station.path == f"/{province.pk}/{city.pk}/{county.pk}/{station.pk}/"
    assert station.city_id == city.pk and city.city_id == city.pk
    assert set(city.subtree()) == {city, county, station}


@pytest.mark.django_db
def test_login_required_redirects(client):
    resp = client.get("/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
