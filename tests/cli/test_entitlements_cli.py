"""The CLI as a user runs it: a real process, real files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.profiles import doctor, money_of


def rencai(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rencai", *args], capture_output=True, text=True, timeout=120
    )


def test_json_output_holds_the_contract_check(tmp_path: Path) -> None:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(doctor(), ensure_ascii=False), encoding="utf-8")
    done = rencai("entitlements", str(path), "--on", "2026-11-23", "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    money = money_of(result)
    assert money["sjz.b.rent_subsidy"]["total"] == "180000.00"
    assert money["sjz.b.purchase_subsidy"]["amount"] == "300000.00"
    assert money["sjz.b.settlement_allowance"]["amount"] == "50000.00"
    assert "card.a" in {n["id"] for n in result["not_eligible"]}


def test_yaml_profile_with_bare_on_key(tmp_path: Path) -> None:
    profile = doctor()
    profile["employment"]["start_date"] = "2019-07-01"
    del profile["on"]
    # a bare `on:` key, as people write it, which YAML 1.1 reads as boolean true
    text = "on: 2020-06-01\n" + yaml.safe_dump(profile, allow_unicode=True)
    assert "on: 2020-06-01" in text
    path = tmp_path / "profile.yaml"
    path.write_text(text, encoding="utf-8")
    done = rencai("entitlements", str(path))
    assert done.returncode == 0, done.stderr
    assert money_of(json.loads(done.stdout))["sjz.b.rent_subsidy"]["amount"] == "2000.00"


def test_table_output(tmp_path: Path) -> None:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(doctor()), encoding="utf-8")
    done = rencai("entitlements", str(path), "--format", "table")
    assert done.returncode == 0, done.stderr
    assert "房租补助" in done.stdout and "180000.00" in done.stdout


def test_table_says_how_a_period_across_the_2021_raise_is_paid(tmp_path: Path) -> None:
    # 石字〔2021〕7号 第4条: "每月享受的房租补助由2000元提高到3000元"; arrival 2020-07, asked 2022
    profile = doctor()
    profile["employment"]["start_date"] = "2020-07-01"
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile), encoding="utf-8")
    done = rencai("entitlements", str(path), "--on", "2022-06-01", "--format", "table")
    assert done.returncode == 0, done.stderr
    text = re.sub(r"\s+", "", done.stdout)  # rich wraps long lines
    assert "2020年7月至2021年1月每月2000.00元（7期）" in text
    assert "按期合计173000.00元" in text and "180000.00" in text


def test_invalid_profile_exits_non_zero_one_line_per_problem(tmp_path: Path) -> None:
    profile = doctor()
    profile["person"]["birth_date"] = "not a date"
    profile["person"]["education"][0]["degree"] = "phd"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(profile), encoding="utf-8")
    done = rencai("entitlements", str(path))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2
    assert any(line.startswith("error: person.birth_date:") for line in lines)
    assert any("person.education.0.degree" in line for line in lines)
    # beside the file's key, the field in Chinese
    assert any(line.startswith("error: person.birth_date: 出生日期：") for line in lines)
    assert done.stdout == ""


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    done = rencai("entitlements", str(tmp_path / "missing.json"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    broken = tmp_path / "broken.json"
    broken.write_text("{oops", encoding="utf-8")
    done = rencai("entitlements", str(broken))
    assert done.returncode == 2 and "JSON" in done.stderr and done.stderr.count("\n") == 1


def test_bad_date_option(tmp_path: Path) -> None:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(doctor()), encoding="utf-8")
    done = rencai("entitlements", str(path), "--on", "2026-02-30")
    assert done.returncode == 2 and "--on" in done.stderr


def test_table_asks_in_chinese_not_in_field_paths(tmp_path: Path) -> None:
    profile = doctor()
    profile["employment"]["county"] = "130181"  # 辛集市: its county rent is the administrator's
    del profile["employment"]["start_date"]
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile), encoding="utf-8")
    done = rencai("entitlements", str(path), "--format", "table")
    assert done.returncode == 0, done.stderr
    assert "待补充信息" in done.stdout and "到石工作或创业之日" in done.stdout
    assert "年工资薪金收入（税前）" in done.stdout
    flat = done.stdout.replace("\n", "")  # the table wraps long lines
    assert re.search(r"[a-z_]{3,}\.[a-z_]{3,}", flat) is None


def test_table_shows_recognitions_and_selections(tmp_path: Path) -> None:
    profile = doctor()
    # 国家级人才项目入选者 (石字〔2021〕7号 第7条) with a 高级技师 skill level (工匠 selection)
    profile["person"]["honors"] = ["national_talent_program"]
    profile["person"]["skill_level"] = "senior_technician"
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    # 2026 is a selection year of the 工匠 (“自 2022 年起，每两年选拔一次”); 2027 is not
    done = rencai("entitlements", str(path), "--format", "table", "--on", "2026-06-01")
    assert done.returncode == 0, done.stderr
    result = json.loads(rencai("entitlements", str(path), "--on", "2026-06-01").stdout)
    assert result["recognitions"] and result["may_apply"]
    assert "石家庄市" in done.stdout.splitlines()[0] and "shijiazhuang" not in done.stdout
    assert "直接认定" in done.stdout and "可以申报" in done.stdout
    assert "“石家庄工匠”选拔" in done.stdout
    # each service item once, though the B card and the county card both name 户籍办理
    names = [b["name"] for b in result["benefits"] if b["kind"] == "service"]
    assert len(set(names)) < len(names)
    assert f"服务项目 {len(set(names))} 项" in done.stdout.replace("\n", "")


def test_table_lists_a_catalogue_only_city(tmp_path: Path) -> None:
    example = Path(__file__).parents[2] / "examples" / "cangzhou-master.yaml"
    done = rencai("entitlements", str(example), "--format", "table")
    assert done.returncode == 0, done.stderr
    result = json.loads(rencai("entitlements", str(example)).stdout)
    assert result["catalogued"] and "reason" not in result["catalogued"][0]
    flat = done.stdout.replace("\n", "")
    assert "沧州市" in flat and result["note"] in flat
    assert "须向主管部门咨询的项目" in flat and "沧州狮城人才服务卡" in flat
    assert "seed" not in flat.lower() and "Criteria" not in flat


def test_the_card_table_is_the_citys_own(tmp_path: Path) -> None:
    # Shijiazhuang's cards are its 人才绿卡; Jinzhou issues no card the texts define (decision 0345)
    examples = Path(__file__).parents[2] / "examples"
    shijiazhuang = rencai(
        "entitlements", str(examples / "shijiazhuang-doctor.json"), "--format", "table"
    )
    assert shijiazhuang.returncode == 0, shijiazhuang.stderr
    assert "石家庄市人才绿卡" in shijiazhuang.stdout.replace("\n", "")
    jinzhou = rencai("entitlements", str(examples / "jinzhou-graduate.json"), "--format", "table")
    assert jinzhou.returncode == 0, jinzhou.stderr
    assert "人才绿卡" not in jinzhou.stdout and "卡别" not in jinzhou.stdout


def test_table_words_an_amount_the_texts_leave_open_for_citizens(tmp_path: Path) -> None:
    # 石办字〔2017〕45号 三（八）: "市级财政参照国家和省确定的标准给予一定奖励" — no amount
    profile = {
        "jurisdiction": "shijiazhuang",
        "person": {"birth_date": "1990-05-01", "honors": ["worldskills_bronze"]},
        "employment": {"employer_type": "enterprise", "county": "130102"},
    }
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile), encoding="utf-8")
    done = rencai("entitlements", str(path), "--on", "2019-06-01", "--format", "table")
    assert done.returncode == 0, done.stderr
    text = re.sub(r"\s+", "", done.stdout)
    assert "世界技能大赛获奖支持：金额待主管部门明确（石办字〔2017〕45号三（八））" in text
    assert "管理员" not in text and "bronze" not in text
    done = rencai("entitlements", str(path), "--on", "2019-06-01", "--format", "json")
    (pending,) = json.loads(done.stdout)["needs_administrator"]
    assert pending["note"] == "金额待主管部门明确"
    assert pending["description"] == "世界技能大赛铜奖市级奖励（元）"
