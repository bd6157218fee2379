"""The five department sources: every kind of bad row rejected with its reason, a wrong header
refused whole, Excel and Parquet read as CSV, re-delivery and racing loads loading once."""

from __future__ import annotations

import csv
import threading
import tracemalloc
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from rencai.cli import app
from rencai.db.session import session_scope
from rencai.feeds.departments import SOURCES, load_delivery
from rencai.feeds.models import (
    DegreeRow,
    EmployerRow,
    FeedLoad,
    ResidenceRow,
    SocialInsuranceRow,
    TaxRow,
)
from rencai.feeds.source import FeedError, FileSource
from rencai.registry.accounts import create_account
from rencai.registry.models import Role
from tests.ledger.world import id_number, uscc, write_csv

BAD_ID = id_number(1)[:-1] + ("0" if id_number(1)[-1] != "0" else "1")
BAD_USCC = uscc(1)[:-1] + ("0" if uscc(1)[-1] != "0" else "1")

# per source: one good row, then (bad row, a word its reason must contain)
CASES: dict[str, tuple[list[str], list[tuple[list[str], str]]]] = {
    "social_insurance": (
        [id_number(1), uscc(1), "2024-05", "8000.50", "130102"],
        [
            ([BAD_ID, uscc(1), "2024-05", "8000", "130102"], "身份证号"),
            ([id_number(2), BAD_USCC, "2024-05", "8000", "130102"], "单位统一社会信用代码"),
            ([id_number(3), uscc(1), "2024-13", "8000", "130102"], "所属期"),
            ([id_number(4), uscc(1), "2024-05", "-5", "130102"], "缴费基数"),
            ([id_number(5), uscc(1), "2024-05", "8000.123", "130102"], "缴费基数"),
            ([id_number(6), uscc(1), "2024-05", "8000", "110101"], "参保地区划代码"),
        ],
    ),
    "tax": (
        [id_number(1), uscc(1), "2023", "240000"],
        [
            ([BAD_ID, uscc(1), "2023", "1"], "身份证号"),
            ([id_number(2), BAD_USCC, "2023", "1"], "扣缴单位统一社会信用代码"),
            ([id_number(3), uscc(1), "23", "1"], "所属年度"),
            ([id_number(4), uscc(1), "2999", "1"], "所属年度"),
            ([id_number(5), uscc(1), "2023", "十万"], "工资薪金收入"),
        ],
    ),
    "degrees": (
        [
            id_number(1),
            "王博士",
            "燕山大学",
            "double_first_class",
            "doctorate",
            "机械工程",
            "全日制",
            "2020-07-01",
        ],
        [
            (
                [BAD_ID, "王", "燕山大学", "", "doctorate", "机械", "全日制", "2020-07-01"],
                "身份证号",
            ),
            (
                [id_number(2), "", "燕山大学", "", "doctorate", "机械", "全日制", "2020-07-01"],
                "姓名",
            ),
            (
                [
                    id_number(3),
                    "李",
                    "燕山大学",
                    "野鸡大学",
                    "master",
                    "机械",
                    "全日制",
                    "2020-07-01",
                ],
                "院校类别",
            ),
            (
                [id_number(4), "李", "燕山大学", "", "高中", "机械", "全日制", "2020-07-01"],
                "学历层次",
            ),
            (
                [id_number(5), "李", "燕山大学", "", "master", "机械", "函授", "2020-07-01"],
                "学习形式",
            ),
            (
                [id_number(6), "李", "燕山大学", "", "master", "机械", "全日制", "2020-02-30"],
                "毕业日期",
            ),
            (
                [id_number(7), "李", "燕山大学", "", "master", "机械", "全日制", "2999-01-01"],
                "毕业日期",
            ),
        ],
    ),
    "employers": (
        [uscc(1), "石家庄某科技有限公司", "企业", "130102", "C2710", "存续", "2015-03-01"],
        [
            (
                [BAD_USCC, "某公司", "企业", "130102", "C2710", "存续", "2015-03-01"],
                "统一社会信用代码",
            ),
            ([uscc(2), "某公司", "外企", "130102", "C2710", "存续", "2015-03-01"], "单位类型"),
            (
                [uscc(3), "某公司", "企业", "999999", "C2710", "存续", "2015-03-01"],
                "登记地区划代码",
            ),
            ([uscc(4), "某公司", "企业", "130102", "2710", "存续", "2015-03-01"], "行业代码"),
            ([uscc(5), "某公司", "企业", "130102", "C2710", "歇业", "2015-03-01"], "登记状态"),
            ([uscc(6), "某公司", "企业", "130102", "C2710", "存续", "2015/03/01"], "成立日期"),
        ],
    ),
    "residence": (
        [id_number(1), "130102", "落户", "2021-09-01"],
        [
            ([BAD_ID, "130102", "落户", "2021-09-01"], "身份证号"),
            ([id_number(2), "1301", "落户", "2021-09-01"], "区划代码"),
            ([id_number(3), "130102", "出国", "2021-09-01"], "事项"),
            ([id_number(4), "130102", "迁入", "昨天"], "日期"),
        ],
    ),
}
MODELS = {
    "social_insurance": SocialInsuranceRow,
    "tax": TaxRow,
    "degrees": DegreeRow,
    "employers": EmployerRow,
    "residence": ResidenceRow,
}


@pytest.mark.parametrize("source", list(CASES))
def test_every_bad_row_is_rejected_with_its_reason(
    db_url: str, tmp_path: Path, source: str
) -> None:
    good, bad = CASES[source]
    columns = SOURCES[source].columns
    path = write_csv(tmp_path / f"{source}.csv", columns, [good, *[row for row, _ in bad]])
    with session_scope(db_url) as session:
        result = load_delivery(session, source, FileSource(path), "data1", tmp_path / "rej")
        record = result.load
        assert (record.rows_total, record.rows_loaded, record.rows_rejected) == (
            1 + len(bad),
            1,
            len(bad),
        )
        stored = session.scalars(select(MODELS[source])).all()
        assert len(stored) == 1 and stored[0].row_number == 2 and stored[0].load_id == record.id
    reasons = dict(result.rejects)
    for line, (_, word) in enumerate(bad, start=3):
        assert word in reasons[line], (line, reasons[line])
    assert record.rejects_file is not None
    with open(record.rejects_file, encoding="utf-8-sig") as handle:
        written = list(csv.reader(handle))
    assert written[0] == ["行号", *columns, "拒收原因"]
    assert [int(row[0]) for row in written[1:]] == list(range(3, 3 + len(bad)))
    assert all(row[-1] for row in written[1:])


def test_values_are_stored_in_codes_and_fen(db_url: str, tmp_path: Path) -> None:
    for source, (good, _) in CASES.items():
        path = write_csv(tmp_path / f"{source}.csv", SOURCES[source].columns, [good])
        with session_scope(db_url) as session:
            load_delivery(session, source, FileSource(path), "data1", tmp_path / "rej")
    with session_scope(db_url) as session:
        contribution = session.scalars(select(SocialInsuranceRow)).one()
        assert contribution.wage_base_fen == 800050 and contribution.period.isoformat() == (
            "2024-05-01"
        )
        assert session.scalars(select(TaxRow)).one().wage_income_fen == 24000000
        degree = session.scalars(select(DegreeRow)).one()
        assert (degree.level, degree.school_tags, degree.full_time) == (
            "doctorate",
            "double_first_class",
            True,
        )
        employer = session.scalars(select(EmployerRow)).one()
        assert (employer.employer_type, employer.status) == ("enterprise", "active")
        assert session.scalars(select(ResidenceRow)).one().event == "settled"
        social = session.scalars(select(FeedLoad).where(FeedLoad.kind == "social_insurance"))
        record = social.one()
        assert record.period_from == record.period_to == contribution.period


def test_a_wrong_header_refuses_the_delivery_whole(db_url: str, tmp_path: Path) -> None:
    good, _ = CASES["social_insurance"]
    header = ["身份证号", "单位统一社会信用代码", "月份", "缴费基数（元）", "参保地区划代码"]
    path = write_csv(tmp_path / "bad.csv", header, [good])
    with session_scope(db_url) as session, pytest.raises(FeedError) as refused:
        load_delivery(session, "social_insurance", FileSource(path), "data1", tmp_path)
    assert refused.value.code == "bad_header" and "所属期" in refused.value.message
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(FeedLoad)) == 0
        assert session.scalar(select(func.count()).select_from(SocialInsuranceRow)) == 0


def test_redelivery_loads_nothing_and_a_later_period_loads_only_new_rows(
    db_url: str, tmp_path: Path
) -> None:
    columns = SOURCES["social_insurance"].columns
    may = [[id_number(n), uscc(1), "2024-05", "8000", "130102"] for n in range(1, 4)]
    june = [[id_number(n), uscc(1), "2024-06", "8000", "130102"] for n in range(1, 4)]
    first = write_csv(tmp_path / "may.csv", columns, may)
    with session_scope(db_url) as session:
        loaded = load_delivery(session, "social_insurance", FileSource(first), "d", tmp_path)
    with session_scope(db_url) as session:
        again = load_delivery(session, "social_insurance", FileSource(first), "d", tmp_path)
        assert again.already_loaded and again.load.id == loaded.load.id
    # a later delivery repeating May with June added: June loads, May is listed as loaded before
    second = write_csv(tmp_path / "may-june.csv", columns, may + june)
    with session_scope(db_url) as session:
        later = load_delivery(session, "social_insurance", FileSource(second), "d", tmp_path)
        assert (later.load.rows_loaded, later.load.rows_duplicate) == (3, 3)
        assert all("此前已导入" in reason for _, reason in later.rejects)
        assert later.load.period_from is not None and later.load.period_to is not None
        assert (later.load.period_from.month, later.load.period_to.month) == (5, 6)
        assert session.scalar(select(func.count()).select_from(SocialInsuranceRow)) == 6
        assert session.scalar(select(func.count()).select_from(FeedLoad)) == 2


def test_excel_and_parquet_deliveries_read_as_csv(db_url: str, tmp_path: Path) -> None:
    good, bad = CASES["degrees"]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(SOURCES["degrees"].columns)
    import datetime as dt

    sheet.append([*good[:7], dt.datetime(2020, 7, 1)])  # Excel carries a date cell
    sheet.append(bad[0][0])
    excel = tmp_path / "degrees.xlsx"
    workbook.save(excel)
    with session_scope(db_url) as session:
        result = load_delivery(session, "degrees", FileSource(excel), "d", tmp_path)
        assert (result.load.rows_loaded, result.load.rows_rejected) == (1, 1)
    columns = SOURCES["tax"].columns
    table = pa.table(
        {
            columns[0]: [id_number(1), BAD_ID],
            columns[1]: [uscc(1), uscc(1)],
            columns[2]: pa.array([2023, 2023], pa.int16()),
            columns[3]: ["250000.00", "1"],
        }
    )
    parquet = tmp_path / "tax.parquet"
    pq.write_table(table, parquet)
    with session_scope(db_url) as session:
        result = load_delivery(session, "tax", FileSource(parquet), "d", tmp_path, "file")
        assert (result.load.rows_loaded, result.load.rows_rejected) == (1, 1)
        assert session.scalars(select(TaxRow)).one().wage_income_fen == 25000000


def test_two_racing_loads_of_the_same_delivery_load_it_once(db_url: str, tmp_path: Path) -> None:
    columns = SOURCES["social_insurance"].columns
    rows = [[id_number(n), uscc(1), "2024-05", "8000", "130102"] for n in range(1, 200)]
    path = write_csv(tmp_path / "may.csv", columns, rows)
    barrier = threading.Barrier(2)
    outcomes: list[bool] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            source = FileSource(path)
            with session_scope(db_url) as session:
                barrier.wait()
                result = load_delivery(session, "social_insurance", source, "d", tmp_path)
                outcomes.append(result.already_loaded)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(outcomes) == [False, True]
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(FeedLoad)) == 1
        assert session.scalar(select(func.count()).select_from(SocialInsuranceRow)) == 199


def test_the_command_line_loads_and_fails_in_one_line(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RENCAI_DATABASE_URL", db_url)
    monkeypatch.setenv("RENCAI_FILES_DIR", str(tmp_path / "files"))
    with session_scope(db_url) as session:
        create_account(session, "data1", "secret123", "数据管理", Role.data_office)
        create_account(session, "fin1", "secret123", "财务", Role.finance)
    good, bad = CASES["residence"]
    path = write_csv(tmp_path / "r.csv", SOURCES["residence"].columns, [good, bad[2][0]])
    runner = CliRunner()
    done = runner.invoke(app, ["feeds", "load", "residence", str(path), "--actor", "data1"])
    assert done.exit_code == 0, done.output
    assert '"loaded": 1' in done.stdout and '"rejected": 1' in done.stdout
    for arguments, word in [
        (["feeds", "load", "residence", str(path), "--actor", "fin1"], "数据管理人员"),
        (["feeds", "load", "weather", str(path), "--actor", "data1"], "未知的数据来源"),
        (["feeds", "load", "tax", str(path), "--actor", "data1"], "表头"),
        (["feeds", "load", "tax", str(tmp_path / "none.csv"), "--actor", "data1"], "不存在"),
    ]:
        failed = runner.invoke(app, arguments)
        assert failed.exit_code == 1, failed.output
        assert len(failed.stderr.strip().splitlines()) == 1 and word in failed.stderr
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(FeedLoad)) == 1


def test_the_administrator_opens_a_data_office_account(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RENCAI_DATABASE_URL", db_url)
    with session_scope(db_url) as session:
        create_account(session, "root1", "secret123", "管理员", Role.admin)
    arguments = ["admin", "create-account", "shebao1", "--role", "data_office"]
    arguments += ["--name", "人社局接口", "--actor", "root1", "--password", "secret12345"]
    made = CliRunner().invoke(app, arguments)
    assert made.exit_code == 0, made.output
    with session_scope(db_url) as session:
        from rencai.feeds.access import loader

        assert loader(session, "shebao1").display_name == "人社局接口"


def test_a_rejected_row_keeps_its_line_in_the_file(db_url: str, tmp_path: Path) -> None:
    good, bad = CASES["residence"]
    columns = ",".join(SOURCES["residence"].columns)
    path = tmp_path / "r.csv"
    path.write_text(f"{columns}\n{','.join(good)}\n\n{','.join(bad[2][0])}\n", encoding="utf-8")
    with session_scope(db_url) as session:
        result = load_delivery(session, "residence", FileSource(path), "d", tmp_path)
    assert [line for line, _ in result.rejects] == [4]  # line 3 is blank


def test_a_damaged_parquet_file_is_refused_whole(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(FeedError) as refused:
        FileSource(path)
    assert refused.value.code == "bad_file" and "Parquet" in refused.value.message


def test_a_department_system_loads_only_its_own_source_from_the_command_line(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The administrator binds a data-office account to its department's source (decision
    0129): it loads that source and is refused any other in one line, loading nothing; an
    unknown source is refused when the account is opened."""
    monkeypatch.setenv("RENCAI_DATABASE_URL", db_url)
    monkeypatch.setenv("RENCAI_FILES_DIR", str(tmp_path / "files"))
    with session_scope(db_url) as session:
        create_account(session, "root2", "secret123", "管理员", Role.admin)
    runner = CliRunner()
    base = ["admin", "create-account", "gaj1", "--role", "data_office", "--name", "公安局接口"]
    base += ["--actor", "root2", "--password", "secret12345"]
    wrong = runner.invoke(app, [*base, "--department", "weather"])
    assert wrong.exit_code == 1 and "数据来源" in wrong.stderr
    made = runner.invoke(app, [*base, "--department", "residence"])
    assert made.exit_code == 0, made.output
    good, _ = CASES["residence"]
    path = write_csv(tmp_path / "r.csv", SOURCES["residence"].columns, [good])
    tax_good, _ = CASES["tax"]
    tax = write_csv(tmp_path / "t.csv", SOURCES["tax"].columns, [tax_good])
    refused = runner.invoke(app, ["feeds", "load", "tax", str(tax), "--actor", "gaj1"])
    assert refused.exit_code == 1, refused.output
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "仅可报送户籍" in refused.stderr and "不能报送税务" in refused.stderr
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(FeedLoad)) == 0
        assert session.scalar(select(func.count()).select_from(TaxRow)) == 0
    done = runner.invoke(app, ["feeds", "load", "residence", str(path), "--actor", "gaj1"])
    assert done.exit_code == 0, done.output
    assert '"loaded": 1' in done.stdout


def test_a_delivery_is_read_as_a_stream_not_whole(tmp_path: Path) -> None:
    """Reading a CSV delivery row by row holds a few rows, not the file's table: the peak of
    Python allocations stays far below the file's size (the table of cells alone was several
    times it)."""
    rows = [[id_number(n % 900), uscc(n % 50), f"20{10 + n // 900 % 14}-{n % 12 + 1:02d}",
             "8000", "130102"] for n in range(60000)]  # fmt: skip
    path = write_csv(tmp_path / "big.csv", SOURCES["social_insurance"].columns, rows)
    size = path.stat().st_size
    del rows
    tracemalloc.start()
    try:
        source = FileSource(path)
        assert source.header() == SOURCES["social_insurance"].columns
        counted = sum(1 for _ in source.numbered_rows())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert counted == 60000
    assert peak < size / 2, (peak, size)


def test_chunks_keep_lines_counts_and_rejects_in_order(db_url: str, tmp_path: Path) -> None:
    """A delivery longer than one chunk: a bad row and a repeated row on each side of a chunk's
    edge are rejected with their lines, in line order, and the counts add up."""
    rows = [[id_number(n % 900), uscc(n % 50 + 1), f"20{10 + n // 900}-{n % 12 + 1:02d}",
             "8000", "130102"] for n in range(4500)]  # fmt: skip
    rows[1998][2] = "2024-13"  # line 2000, in the first chunk
    rows[2001][2] = "2024-13"  # line 2003, in the second
    rows[2500] = list(rows[10])  # line 2502 repeats line 12 (an earlier chunk)
    path = write_csv(tmp_path / "si.csv", SOURCES["social_insurance"].columns, rows)
    with session_scope(db_url) as session:
        result = load_delivery(session, "social_insurance", FileSource(path), "d", tmp_path)
        record = result.load
        counts = (record.rows_total, record.rows_loaded, record.rows_rejected)
        assert (counts, record.rows_duplicate) == ((4500, 4497, 2), 1)
        assert [line for line, _ in result.rejects] == [2000, 2003, 2502]
        assert "此前已导入" in result.rejects[2][1]
        lines = Path(str(record.rejects_file)).read_text(encoding="utf-8-sig").splitlines()
        assert [line.split(",")[0] for line in lines[1:]] == ["2000", "2003", "2502"]
        assert session.scalar(select(func.count()).select_from(SocialInsuranceRow)) == 4497
