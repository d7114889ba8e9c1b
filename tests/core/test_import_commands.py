"""The import commands (core.commands.ImportCommand): an import from the shell, all or none."""

import pytest
from django.core.management import CommandError, call_command

from zhibiao.directory.models import Organisation

pytestmark = pytest.mark.django_db

HEADER = "名称,统一社会信用代码,类型,镇（街道）,所有制,行业代码,规模,成立日期\n"
GOOD = "上海导入一号有限公司,91350100M000100Y43,企业,南桥镇,民营,C2411,小型,2015-03-01\n"


def test_command_imports_and_counts(tmp_path, capsys):
    path = tmp_path / "orgs.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    call_command("import_organisations", str(path))
    assert "1 created, 0 updated, 0 unchanged." in capsys.readouterr().out
    assert Organisation.objects.filter(uscc="91350100M000100Y43").exists()


def test_command_lists_the_rows_of_a_refused_file(tmp_path, capsys):
    path = tmp_path / "orgs.csv"
    path.write_text(HEADER + GOOD.replace("2015-03-01", "yesterday"), encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_organisations", str(path))
    assert "row 2, 成立日期:" in capsys.readouterr().err
    assert not Organisation.objects.filter(uscc="91350100M000100Y43").exists()


def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_organisations", str(tmp_path / "none.csv"))


def test_catalogue_command_counts_links_too(tmp_path, capsys):
    path = tmp_path / "catalogue.csv"
    path.write_text("标准号,标准名称\nGB/T 9-2020,样例\n", encoding="utf-8")
    call_command("import_standards", str(path))
    out = capsys.readouterr().out
    assert "1 created, 0 updated, 0 unchanged; 0 replacements stated, 0 inferred." in out
