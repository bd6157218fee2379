"""The screening store: the five department feeds as a directory of Parquet files.

Every person-keyed file carries ``pid``, the person index (a dense int32 given once per identity
number), and is sorted by it, so the screening reads a range of persons from every file by the
files' row-group statistics and joins them by position, never by hashing identity numbers.
Layouts: docs/screening.md, "The screening store".

``synthesize`` writes a realistic synthetic store (vectorised, in chunks of persons) and a
sidecar ``planted.parquet`` naming persons built to qualify, so that recall can be checked.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from rencai import clock
from rencai.feeds.source import FeedError
from rencai.policy.contract.vocabulary import vocabulary

PID = pa.int32()
# persons per row group of every person-keyed file: the screening's unit of work
PARTITION = 100_000

SCHEMAS: dict[str, pa.Schema] = {
    "persons": pa.schema(
        [
            ("pid", PID),
            ("id_number", pa.string()),
            ("name", pa.string()),
            ("birth_date", pa.date32()),
            ("sex", pa.int8()),
        ]
    ),
    "social_insurance": pa.schema(
        [
            ("pid", PID),
            ("employer_uscc", pa.string()),
            ("period", pa.date32()),
            ("wage_base_fen", pa.int64()),
            ("region", pa.string()),
        ]
    ),
    # derived from social_insurance as it is written: one row per run of consecutive months with
    # one employer in one region, what the screening reads (a person's ~18 monthly rows become
    # one or two)
    "insurance_spells": pa.schema(
        [
            ("pid", PID),
            ("employer_uscc", pa.string()),
            ("region", pa.string()),
            ("first", pa.date32()),
            ("last", pa.date32()),
        ]
    ),
    "tax": pa.schema(
        [
            ("pid", PID),
            ("employer_uscc", pa.string()),
            ("year", pa.int16()),
            ("wage_income_fen", pa.int64()),
        ]
    ),
    "degrees": pa.schema(
        [
            ("pid", PID),
            ("school", pa.string()),
            ("school_tags", pa.string()),
            ("level", pa.string()),
            ("discipline", pa.string()),
            ("full_time", pa.bool_()),
            ("graduated_on", pa.date32()),
        ]
    ),
    "employers": pa.schema(
        [
            ("uscc", pa.string()),
            ("name", pa.string()),
            ("employer_type", pa.string()),
            ("county", pa.string()),
            ("industry", pa.string()),
            ("status", pa.string()),
            ("established_on", pa.date32()),
        ]
    ),
    "residence": pa.schema(
        [
            ("pid", PID),
            ("county", pa.string()),
            ("event", pa.string()),
            ("on_date", pa.date32()),
        ]
    ),
}
PERSON_FILES = ("persons", "social_insurance", "tax", "degrees", "residence")
PLANTED = pa.schema(
    [
        ("pid", PID),
        ("id_number", pa.string()),
        ("program", pa.string()),
        ("jurisdiction", pa.string()),
    ]
)
# identifiers repeat across rows: dictionary pages keep the files small and let readers keep them
# as indices
DICTIONARY_COLUMNS = (
    "employer_uscc",
    "region",
    "school",
    "school_tags",
    "level",
    "discipline",
    "county",
    "event",
    "employer_type",
    "industry",
    "status",
)


def path_of(directory: Path, name: str) -> Path:
    return Path(directory) / f"{name}.parquet"


def check_store(directory: Path) -> int:
    """The number of persons of a store, or FeedError naming what is missing or malformed."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FeedError("store", f"筛查数据目录不存在：{directory}", "store_missing")
    for name, schema in SCHEMAS.items():
        path = path_of(directory, name)
        if not path.is_file():
            raise FeedError("store", f"筛查数据目录缺少文件 {path.name}", "store_missing")
        found = pq.read_schema(path)
        for column in schema:
            if column.name not in found.names or found.field(column.name).type != column.type:
                raise FeedError(
                    "store", f"{path.name} 的列 {column.name} 缺失或类型不符", "store_layout"
                )
    return pq.ParquetFile(path_of(directory, "persons")).metadata.num_rows


@functools.lru_cache(maxsize=64)
def _row_groups(path: str, modified: float) -> tuple[pq.ParquetFile, np.ndarray, np.ndarray]:
    """A file opened once, and the first and last pid of each of its row groups."""
    file = pq.ParquetFile(path)
    index = file.schema_arrow.get_field_index("pid")
    low, high = [], []
    for group in range(file.metadata.num_row_groups):
        statistics = file.metadata.row_group(group).column(index).statistics
        if statistics is None or not statistics.has_min_max:
            low.append(np.iinfo(np.int32).min)
            high.append(np.iinfo(np.int32).max)
        else:
            low.append(statistics.min)
            high.append(statistics.max)
    return file, np.array(low, dtype=np.int64), np.array(high, dtype=np.int64)


# decode a file's columns in threads: one process using the machine alone gains from it; a
# worker process among as many as there are cores does not (set False there, decision 0196)
READ_THREADS = True


def read_range(
    directory: Path,
    name: str,
    lo: int,
    hi: int,
    columns: list[str] | None = None,
    dictionaries: tuple[str, ...] = (),
) -> pa.Table:
    """The rows of persons ``lo <= pid < hi`` of one person-keyed file, sorted by pid: only the
    row groups whose pid statistics meet the range are read, then cut by position (the file is
    sorted). ``dictionaries`` are string columns read as dictionary arrays (codes, not text)."""
    path = path_of(directory, name)
    _, low, high = _row_groups(str(path), path.stat().st_mtime)
    groups = np.flatnonzero((high >= lo) & (low < hi)).tolist()
    file = pq.ParquetFile(path, read_dictionary=list(dictionaries) or None, pre_buffer=False)
    wanted = None if columns is None else list(dict.fromkeys(["pid", *columns]))
    table = (
        file.read_row_groups(groups, columns=wanted, use_threads=READ_THREADS) if groups else None
    )
    if table is None:
        schema = file.schema_arrow
        table = schema.empty_table() if wanted is None else schema.empty_table().select(wanted)
    pid = table["pid"].to_numpy()
    # bounds of the column's own type: no int64 copy of the column for the search
    start, stop = np.searchsorted(pid, np.array([lo, hi]).astype(pid.dtype))
    table = table.slice(int(start), int(stop - start))
    return table if columns is None else table.select(columns)


def read_employers(directory: Path) -> pa.Table:
    return pq.read_table(path_of(directory, "employers"))


class StoreWriter:
    """One Parquet writer per file; each ``write`` appends a chunk of persons as row groups."""

    def __init__(self, directory: Path, names: tuple[str, ...] = tuple(SCHEMAS)):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.writers = {
            name: pq.ParquetWriter(
                path_of(self.directory, name),
                SCHEMAS[name],
                # LZ4 decodes in about half the time of zstd for a third more bytes: the
                # screening reads the store far more often than it is written
                compression="lz4",
                use_dictionary=[c for c in DICTIONARY_COLUMNS if c in SCHEMAS[name].names],
            )
            for name in names
        }

    def write(self, name: str, table: pa.Table) -> None:
        self.writers[name].write_table(table.cast(SCHEMAS[name]), row_group_size=1 << 30)
        if name == "social_insurance" and "insurance_spells" in self.writers:
            self.write("insurance_spells", insurance_spells(table))

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


def insurance_spells(rows: pa.Table) -> pa.Table:
    """Monthly contribution rows (sorted by pid, then period) as runs of consecutive months with
    one employer in one region. Rows of one person split over two writes give two runs that the
    screening joins again (it chains runs of one employer exactly as it would chain months)."""
    n = rows.num_rows
    if n == 0:
        return SCHEMAS["insurance_spells"].empty_table()
    pid = rows["pid"].to_numpy()
    employer = rows["employer_uscc"].combine_chunks().dictionary_encode()
    region = rows["region"].combine_chunks().dictionary_encode()
    employer_code = employer.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    region_code = region.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    days = rows["period"].cast(pa.int32()).to_numpy()
    month = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    start = np.flatnonzero(
        np.r_[
            True,
            (pid[1:] != pid[:-1])
            | (employer_code[1:] != employer_code[:-1])
            | (region_code[1:] != region_code[:-1])
            | (month[1:] != month[:-1] + 1),
        ]
    )
    end = np.r_[start[1:], n] - 1
    first = pa.array(start)
    return pa.table(
        {
            "pid": pa.array(pid[start]),
            "employer_uscc": rows["employer_uscc"].take(first),
            "region": rows["region"].take(first),
            "first": rows["period"].take(first),
            "last": rows["period"].take(pa.array(end)),
        }
    ).cast(SCHEMAS["insurance_spells"])


# --- the synthetic population ---------------------------------------------------------------

CITY_WEIGHTS = {"shijiazhuang": 0.6, "cangzhou": 0.25, "jinzhou": 0.15}
SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕")
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "晓东",
    "志强",
    "海燕",
    "思远",
    "子涵",
    "雨桐",
    "浩然",
    "欣怡",
    "一鸣",
    "嘉怡",
    "俊杰",
    "梓萱",
    "宇轩",
]
# schools and the tags the vocabulary defines for them (a few of each kind)
SCHOOLS = [
    ("清华大学", "double_first_class,first_round_world_class_university"),
    ("北京大学", "double_first_class,first_round_world_class_university"),
    ("天津大学", "double_first_class,first_round_world_class_university"),
    ("河北工业大学", "double_first_class"),
    ("华北电力大学", "double_first_class"),
    ("河北大学", "provincial_key_university,first_batch_undergraduate"),
    ("燕山大学", "provincial_key_university,first_batch_undergraduate"),
    ("河北医科大学", "provincial_key_university,first_batch_undergraduate"),
    ("河北师范大学", "first_batch_undergraduate"),
    ("河北科技大学", "first_batch_undergraduate"),
    ("石家庄铁道大学", "first_batch_undergraduate"),
    ("石家庄学院", ""),
    ("河北经贸大学", ""),
    ("沧州师范学院", ""),
    ("锦州医科大学", ""),
    ("辽宁工业大学", ""),
    ("渤海大学", ""),
    ("石家庄职业技术学院", ""),
    ("河北化工医药职业技术学院", ""),
    ("University of Manchester", "world_top500"),
    ("河北省名校英才计划院校", "hebei_famous_school_graduate"),
]
SCHOOL_WEIGHTS = np.array([1, 1, 1, 3, 2, 6, 5, 4, 6, 6, 6, 10, 8, 6, 4, 4, 4, 10, 8, 1, 1.0])
DISCIPLINES = [
    "计算机科学与技术",
    "机械工程",
    "临床医学",
    "会计学",
    "化学工程与技术",
    "电子信息",
    "土木工程",
    "药学",
    "法学",
    "汉语言文学",
]
# GB/T 4754 industry codes (门类 + 大类) of the employers
INDUSTRIES = [
    "C27",
    "C39",
    "C35",
    "C26",
    "I65",
    "I64",
    "M73",
    "P83",
    "Q84",
    "F51",
    "E47",
    "K70",
    "J66",
    "A01",
]
EMPLOYER_TYPES = [
    "enterprise",
    "public_institution",
    "government",
    "civil_service_managed_institution",
    "social_organization",
    "self_employed",
]
EMPLOYER_TYPE_WEIGHTS = [0.8, 0.08, 0.04, 0.03, 0.03, 0.02]
EMPLOYER_WORDS = [
    "华信",
    "恒泰",
    "冀中",
    "燕赵",
    "博远",
    "正元",
    "新奥",
    "康泰",
    "宏达",
    "天诚",
    "瑞丰",
    "中科",
    "润德",
    "鼎盛",
    "金桥",
    "海川",
]
EMPLOYER_SUFFIX = {
    "enterprise": "科技有限公司",
    "public_institution": "研究院",
    "government": "行政审批局",
    "civil_service_managed_institution": "服务中心",
    "social_organization": "行业协会",
    "self_employed": "工作室",
}
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
DEGREE_LEVELS = ["none", "associate", "bachelor", "master", "doctorate"]
DEGREE_WEIGHTS = [0.25, 0.2, 0.35, 0.15, 0.05]
WINDOW_MONTHS = 18  # months of contributions delivered before the reference date
PLANTED_PROGRAM = "card.b"  # built to qualify for the B card: a doctorate introduced from outside
EPOCH = np.datetime64("1970-01-01", "D")


def city_counties() -> dict[str, list[str]]:
    """The six-digit counties of each of the three cities (GB/T 2260)."""
    result: dict[str, list[str]] = {city: [] for city in CITY_WEIGHTS}
    for code, county in vocabulary().counties.items():
        if county.jurisdiction in result and code.isdigit():
            result[county.jurisdiction].append(code)
    return result


def _strings(matrix: np.ndarray) -> pa.Array:
    """Fixed-width ASCII rows (n × w uint8) as a string array, without Python strings."""
    n, width = matrix.shape
    offsets = np.arange(0, n * width + 1, width, dtype=np.int32)
    data = np.ascontiguousarray(matrix, dtype=np.uint8)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def _take(pool: list[str], index: np.ndarray) -> pa.Array:
    return pc.take(pa.array(pool, pa.string()), pa.array(index.astype(np.int32)))


def _date32(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.int32()).view(pa.date32())


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """Integers as a (n × width) matrix of decimal digits."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values.astype(np.int64)[:, None] // powers) % 10


def id_numbers(region: np.ndarray, birth_days: np.ndarray, sequence: np.ndarray) -> pa.Array:
    """GB 11643 numbers: region (int), birth date (days since 1970), sequence (0..999)."""
    dates = EPOCH + birth_days.astype("timedelta64[D]")
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    ymd = years * 10000 + months * 100 + days
    digits = np.hstack([_digits(region, 6), _digits(ymd, 8), _digits(sequence, 3)])
    check = ID_CHECK[(digits @ ID_WEIGHTS) % 11]
    matrix = np.hstack([(digits + 48).astype(np.uint8), check[:, None]])
    return _strings(matrix)


def usccs(region: np.ndarray, serial: np.ndarray) -> pa.Array:
    """GB 32100 codes: 9 (market regulation) 1 (enterprise), region, a 9-character serial code."""
    n = len(serial)
    head = np.tile(np.array([9, 1]), (n, 1))
    body = np.zeros((n, 9), dtype=np.int64)
    rest = serial.astype(np.int64)
    for position in range(8, -1, -1):
        body[:, position] = rest % 31
        rest //= 31
    values = np.hstack([head, _digits(region, 6), body])
    check = (31 - (values @ USCC_WEIGHTS) % 31) % 31
    alphabet = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)
    return _strings(alphabet[np.hstack([values, check[:, None]])])


def _months_since_epoch(day: dt.date) -> int:
    return (day.year - 1970) * 12 + day.month - 1


def _month_days(months: np.ndarray) -> np.ndarray:
    return (months.astype("datetime64[M]").astype("datetime64[D]") - EPOCH).astype(np.int32)


def synthesize(
    persons: int,
    out: Path,
    seed: int = 0,
    as_of: dt.date | None = None,
    chunk: int = PARTITION,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write a synthetic store of ``persons`` persons; returns the number of planted persons."""
    if persons < 1:
        raise FeedError("persons", "人数应为正整数", "invalid")
    as_of = as_of or clock.today()
    today = (np.datetime64(as_of.isoformat()) - EPOCH).astype(np.int64)
    rng = np.random.default_rng(seed)
    counties = city_counties()
    all_counties = [c for city in CITY_WEIGHTS for c in counties[city]]
    county_city = np.array(
        [i for i, city in enumerate(CITY_WEIGHTS) for _ in counties[city]], dtype=np.int8
    )
    county_weight = np.array(
        [CITY_WEIGHTS[city] / len(counties[city]) for city in CITY_WEIGHTS for _ in counties[city]]
    )
    county_weight /= county_weight.sum()
    county_int = np.array([int(c) for c in all_counties], dtype=np.int64)
    sjz = np.flatnonzero(county_city == 0)
    outside = np.flatnonzero(county_city != 0)

    # employers: one for about every 25 persons
    m = max(60, persons // 25)
    e_county = rng.choice(len(all_counties), size=m, p=county_weight)
    e_type = rng.choice(len(EMPLOYER_TYPES), size=m, p=EMPLOYER_TYPE_WEIGHTS)
    e_status = rng.choice(3, size=m, p=[0.95, 0.03, 0.02])
    e_uscc = usccs(county_int[e_county], rng.permutation(m) + 31**7)
    word = rng.integers(0, len(EMPLOYER_WORDS), m)
    name_pool = [
        f"{city_name}{w}{EMPLOYER_SUFFIX[t]}"
        for city_name in ("石家庄", "沧州", "锦州")
        for w in EMPLOYER_WORDS
        for t in EMPLOYER_TYPES
    ]
    name_index = (county_city[e_county].astype(np.int64) * len(EMPLOYER_WORDS) + word) * len(
        EMPLOYER_TYPES
    ) + e_type
    employers = pa.table(
        {
            "uscc": e_uscc,
            "name": _take(name_pool, name_index),
            "employer_type": _take(EMPLOYER_TYPES, e_type),
            "county": _take(all_counties, e_county),
            "industry": _take(INDUSTRIES, rng.integers(0, len(INDUSTRIES), m)),
            "status": _take(["active", "revoked", "cancelled"], e_status),
            "established_on": _date32(today - rng.integers(365, 30 * 365, m)),
        }
    )
    order = pc.sort_indices(employers, [("uscc", "ascending")])
    # a planted person works for an active enterprise registered in a Shijiazhuang county
    planted_employers = np.flatnonzero(
        (county_city[e_county] == 0) & (e_type == 0) & (e_status == 0)
    )
    if len(planted_employers) == 0:
        planted_employers = np.array([0])
        e_county[0], e_type[0], e_status[0] = sjz[0], 0, 0
        employers = employers.set_column(3, "county", _take(all_counties, e_county))
        employers = employers.set_column(2, "employer_type", _take(EMPLOYER_TYPES, e_type))
        employers = employers.set_column(
            5, "status", _take(["active", "revoked", "cancelled"], e_status)
        )
    # persons: home county (the identity number's region), age, sex, highest degree
    home = rng.choice(len(all_counties), size=persons, p=county_weight)
    age_days = rng.integers(22 * 365, 60 * 365, persons)
    sex = rng.integers(1, 3, persons).astype(np.int8)
    highest = rng.choice(len(DEGREE_LEVELS), size=persons, p=DEGREE_WEIGHTS)
    employer = rng.integers(0, m, persons)
    planted_count = max(5, persons // 2000) if persons >= 50 else 0
    planted = np.sort(rng.choice(persons, size=planted_count, replace=False))
    is_planted = np.zeros(persons, dtype=bool)
    is_planted[planted] = True
    home[planted] = rng.choice(outside, size=planted_count)
    age_days[planted] = 30 * 365 + rng.integers(0, 300, planted_count)
    highest[planted] = 4
    employer[planted] = rng.choice(planted_employers, size=planted_count)
    birth = today - age_days
    # sequence numbers unique within (region, birth date): odd for men, even for women
    key = county_int[home] * 100_000 + birth
    by_key = np.argsort(key, kind="stable")
    sorted_key = key[by_key]
    starts = np.r_[0, np.flatnonzero(sorted_key[1:] != sorted_key[:-1]) + 1]
    rank = np.arange(persons) - np.repeat(starts, np.diff(np.r_[starts, persons]))
    sequence = np.empty(persons, dtype=np.int64)
    sequence[by_key] = rank * 2 + 1
    sequence = np.where(sex == 2, sequence - 1, sequence) % 1000
    numbers = id_numbers(county_int[home], birth, sequence)
    names = rng.integers(0, len(SURNAMES), persons) * len(GIVEN) + rng.integers(
        0, len(GIVEN), persons
    )
    name_pool = [s + g for s in SURNAMES for g in GIVEN]

    writer = StoreWriter(out)
    try:
        writer.write("employers", employers.take(order))
        last_month = _months_since_epoch(as_of) - 1  # deliveries lag the month by one
        for part, lo in enumerate(range(0, persons, chunk)):
            hi = min(persons, lo + chunk)
            crng = np.random.default_rng([seed, part])
            pid = np.arange(lo, hi, dtype=np.int32)
            writer.write(
                "persons",
                pa.table(
                    {
                        "pid": pid,
                        "id_number": numbers[lo:hi],
                        "name": _take(name_pool, names[lo:hi]),
                        "birth_date": _date32(birth[lo:hi]),
                        "sex": sex[lo:hi],
                    }
                ),
            )
            _write_chunk(
                writer,
                crng,
                pid,
                birth[lo:hi],
                highest[lo:hi],
                employer[lo:hi],
                is_planted[lo:hi],
                home[lo:hi],
                e_county,
                county_int,
                all_counties,
                e_uscc,
                last_month,
                today,
            )
            if progress:
                progress(hi - lo)
    finally:
        writer.close()
    pq.write_table(
        pa.table(
            {
                "pid": pa.array(planted.astype(np.int32)),
                "id_number": pc.take(numbers, pa.array(planted)),
                "program": pa.array([PLANTED_PROGRAM] * planted_count, pa.string()),
                "jurisdiction": pa.array(["shijiazhuang"] * planted_count, pa.string()),
            },
            schema=PLANTED,
        ),
        Path(out) / "planted.parquet",
    )
    return planted_count


def _segments(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows repeated ``lengths`` times: the owner index and the position within the owner."""
    owner = np.repeat(np.arange(len(lengths)), lengths)
    starts = np.cumsum(lengths) - lengths
    return owner, np.arange(int(lengths.sum())) - starts[owner]


def _write_chunk(
    writer: StoreWriter,
    rng: np.random.Generator,
    pid: np.ndarray,
    birth: np.ndarray,
    highest: np.ndarray,
    employer: np.ndarray,
    planted: np.ndarray,
    home: np.ndarray,
    e_county: np.ndarray,
    county_int: np.ndarray,
    all_counties: list[str],
    e_uscc: pa.Array,
    last_month: int,
    today: np.int64,
) -> None:
    n = len(pid)
    # degrees: every level up to the highest (associate stands alone)
    rows = []
    years_after_birth = {1: 21, 2: 22, 3: 25, 4: 29}
    for step, years in years_after_birth.items():
        has = (highest == step) if step == 1 else (highest >= step) & (highest > 1)
        owner = np.flatnonzero(has)
        graduated = birth[owner] + years * 365 + rng.integers(0, 3 * 365, len(owner))
        graduated = np.where(planted[owner], birth[owner] + (years - 2) * 365, graduated)
        keep = graduated <= today
        owner, graduated = owner[keep], graduated[keep]
        full_time = rng.random(len(owner)) < {1: 0.8, 2: 0.9, 3: 0.8, 4: 0.85}[step]
        full_time |= planted[owner]
        school = rng.choice(len(SCHOOLS), size=len(owner), p=SCHOOL_WEIGHTS / SCHOOL_WEIGHTS.sum())
        rows.append((owner, np.full(len(owner), step), school, full_time, graduated))
    owner, level, school, full_time, graduated = (
        np.concatenate(c) for c in zip(*rows, strict=True)
    )
    order = np.lexsort((graduated, owner))
    owner, level, school, full_time, graduated = (
        owner[order],
        level[order],
        school[order],
        full_time[order],
        graduated[order],
    )
    a_class = vocabulary().a_class_disciplines
    discipline_pool = DISCIPLINES + [d for _, d in a_class]
    discipline = rng.integers(0, len(DISCIPLINES), len(owner))
    # one in ten degrees of a school with an A-class discipline is in that discipline
    school_pool = [s for s, _ in SCHOOLS] + [s for s, _ in a_class]
    tags_pool = [t for _, t in SCHOOLS] + [""] * len(a_class)
    in_a_class = rng.random(len(owner)) < 0.1
    pick = rng.integers(0, len(a_class), len(owner))
    school = np.where(in_a_class, len(SCHOOLS) + pick, school)
    discipline = np.where(in_a_class, len(DISCIPLINES) + pick, discipline)
    writer.write(
        "degrees",
        pa.table(
            {
                "pid": pid[owner],
                "school": _take(school_pool, school),
                "school_tags": _take(tags_pool, school),
                "level": _take(DEGREE_LEVELS, level),
                "discipline": _take(discipline_pool, discipline),
                "full_time": full_time,
                "graduated_on": _date32(graduated),
            }
        ),
    )

    # social insurance: a spell over the window's last months, with gaps, a change of employer,
    # and some who stopped (left the city or the work)
    insured = (rng.random(n) < 0.85) | planted
    length = np.where(insured, rng.integers(1, WINDOW_MONTHS + 1, n), 0)
    stopped = np.where(rng.random(n) < 0.08, rng.integers(1, 6, n), 0)
    length = np.where(planted, WINDOW_MONTHS, length)
    stopped = np.where(planted, 0, stopped)
    owner, position = _segments(length)
    month = last_month - stopped[owner] - (length[owner] - 1 - position)
    gap_at = rng.integers(0, WINDOW_MONTHS, n)
    gap_len = np.where((rng.random(n) < 0.2) & ~planted, rng.integers(1, 4, n), 0)
    in_gap = (position >= gap_at[owner]) & (position < gap_at[owner] + gap_len[owner])
    switch_at = np.where((rng.random(n) < 0.15) & ~planted, rng.integers(1, WINDOW_MONTHS, n), -1)
    previous = rng.integers(0, len(e_county), n)
    keep = ~in_gap
    owner, position, month = owner[keep], position[keep], month[keep]
    which = np.where(position < switch_at[owner], previous[owner], employer[owner])
    base_yuan = np.clip(rng.lognormal(8.6, 0.5, n), 2_000, 60_000).astype(np.int64)
    writer.write(
        "social_insurance",
        pa.table(
            {
                "pid": pid[owner],
                "employer_uscc": pc.take(e_uscc, pa.array(which)),
                "period": _date32(_month_days(month)),
                "wage_base_fen": base_yuan[owner] * 100,
                "region": _take(all_counties, e_county[which]),
            }
        ),
    )

    # tax: the wage income of the two last full years, from the current employer
    year_now = (
        int((EPOCH + np.timedelta64(int(today), "D")).astype("datetime64[Y]").astype(int)) + 1970
    )
    taxed = insured
    owner = np.repeat(np.flatnonzero(taxed), 2)
    year = np.tile(np.array([year_now - 2, year_now - 1]), int(taxed.sum()))
    income = base_yuan[owner] * 12 * 100 + rng.integers(0, 200_000, len(owner)) * 100
    writer.write(
        "tax",
        pa.table(
            {
                "pid": pid[owner],
                "employer_uscc": pc.take(e_uscc, pa.array(employer[owner])),
                "year": year.astype(np.int16),
                "wage_income_fen": income.astype(np.int64),
            }
        ),
    )

    # residence: settled in the home county at birth; a third moved to where they work,
    # and a few moved out again
    moved = ((rng.random(n) < 0.3) & (e_county[employer] != home)) | planted
    moved_on = today - rng.integers(30, 10 * 365, n)
    left = moved & (rng.random(n) < 0.05) & ~planted
    left_on = np.minimum(today, moved_on + rng.integers(30, 3 * 365, n))
    destination = e_county[employer]  # they moved to where they work
    pieces = [
        (np.arange(n), home, np.zeros(n, dtype=np.int64), birth),
        (
            np.flatnonzero(moved),
            destination[moved],
            np.ones(int(moved.sum()), dtype=np.int64),
            moved_on[moved],
        ),
        (np.flatnonzero(left), destination[left], np.full(int(left.sum()), 2), left_on[left]),
    ]
    owner, county, event, on_date = (np.concatenate(c) for c in zip(*pieces, strict=True))
    order = np.lexsort((on_date, owner))
    owner, county, event, on_date = owner[order], county[order], event[order], on_date[order]
    writer.write(
        "residence",
        pa.table(
            {
                "pid": pid[owner],
                "county": _take(all_counties, county),
                "event": _take(["settled", "moved_in", "moved_out"], event),
                "on_date": _date32(on_date),
            }
        ),
    )
