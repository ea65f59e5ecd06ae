"""A realistic synthetic population of an East Javanese regency, for demos, tests and benchmarks.

Plain Python (no Django), seeded and deterministic. Names follow Javanese, Osing, Madurese and
Muslim naming: one-word names and old spellings among older people, two or three words among
the young (Permendagri 73/2022), abbreviations that became legal names (``M. Hakam``, ``Abd
Muis``), placeholder birth dates (1 January, 1 July, 31 December) for many born before 1960.
NIKs agree with kecamatan, birth date and sex (day + 40 for women) and are unique; KK numbers
carry region, issue date and serial.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

MALE_OLD = (
    "Slamet Sukarno Soekarno Suparno Sugeng Paimin Darmaji Sutrisno Soetrisno Djoko Tjipto Kasiman Sanusi Asmuni "
    "Misnadi Sunadi Kusnadi Sahrawi Matrawi Busiri Marsuki Buhari Sumarto Samsuri Mistar Kaseri Ngadimin Poniman "
    "Suyitno Soepardi Tukiman Rasimun Sarmidi Dulkamid Sutikno Karsono Boeang Sahuri Jumali Parto Soewarno"
).split()
FEMALE_OLD = (
    "Painem Ponirah Tumini Sumiati Suwarni Sutipah Maryati Satinah Poniyem Sulasmi Soekarti Tjitro Kasmirah "
    "Misnah Juma'ati Busatin Sahriyah Marsini Tukinah Rukayah Sanemi Mbok Sarni Sumarmi Saminten Legiyem Tarsih "
    "Djuwariyah Karsinah Boinah Rasimah"
).split()
MALE_FIRST = (
    "Agus Budi Eko Hadi Wahyu Bambang Joko Bagus Dedi Hendra Rudi Arif Andi Yusuf Imam Ahmad Achmad Akhmad "
    "Abdul Muhammad Mohammad Moch. Moh. Muh. M. Zainal Nur Syaiful Saiful Fajar Rizky Dimas Aditya Bayu Dwi Yoga "
    "Ilham Hasan Husein Rahmat Taufik Hidayat Anang Teguh Heri Lukman Mahmud Kholil Holil Hamdan Saleh"
).split()
MALE_LAST = (
    "Santoso Setiawan Prasetyo Hidayat Wijaya Saputra Pratama Nugroho Kurniawan Susanto Firmansyah Ramadhan "
    "Hakim Arifin Rahman Rohman Fauzi Syahputra Maulana Efendi Effendi Sholeh Muis Aziz Hakam Hasyim Ridwan"
).split()
FEMALE_FIRST = (
    "Siti Sri Dewi Nur Nurul Indah Ayu Rina Yuliana Lestari Wahyuni Eka Dwi Tri Fitri Anisa Aulia Putri Dian "
    "Ratna Nanik Endang Umi Khotimah Fatimah Aminah Laila Zahra Salsabila Nadia Intan Rahayu Ika Novi"
).split()
FEMALE_LAST = (
    "Aminah Rahayu Wahyuni Lestari Handayani Maryam Hasanah Khasanah Rohmah Fitriani Ramadhani Safitri "
    "Kusumawati Puspitasari Susanti Wulandari Rahmawati Nurhayati Zulaikha Aisyah Khoiriyah Mukaromah"
).split()
TITLES_MALE = ["H.", "Ir.", "Drs.", "dr."]
TITLES_FEMALE = ["Hj.", "Dra."]
SUFFIX_TITLES = ["S.Pd.", "S.E.", "S.H.", "Amd.", "S.Kom.", "S.Ag."]
DUSUN = (
    "Krajan Kidul Lor Wetan Kulon Tengah Sumberejo Sumbersari Karanganyar Kedungrejo Sukorejo Tegalrejo "
    "Purwosari Sidomulyo Rejosari Kebonsari Gumuk Jati Wonosari Pancoran Kopen Cungking Ringinsari"
).split()
BIRTH_PLACES_EXTRA = ["Jember", "Situbondo", "Bondowoso", "Probolinggo", "Surabaya", "Malang", "Sumenep", "Bangkalan", "Denpasar"]
OCCUPATIONS_ADULT = [
    ("Petani/pekebun", 22), ("Buruh tani/perkebunan", 16), ("Wiraswasta", 14), ("Mengurus rumah tangga", 18),
    ("Pedagang", 7), ("Karyawan swasta", 8), ("Nelayan/perikanan", 3), ("Buruh harian lepas", 7),
    ("Pegawai negeri sipil", 2), ("Guru", 1.5), ("Sopir", 1), ("Belum/tidak bekerja", 4), ("Perangkat desa", 0.3),
    ("Tentara Nasional Indonesia", 0.2), ("Kepolisian RI", 0.2),
]
RELIGIONS = [("islam", 96.2), ("hindu", 1.6), ("kristen", 1.4), ("katolik", 0.5), ("buddha", 0.3)]


@dataclass(frozen=True)
class Person:
    nik: str
    name: str
    sex: str
    birth_place: str
    birth_date: dt.date
    religion: str
    marital_status: str
    occupation: str
    education: str
    status: str
    relationship: str


@dataclass(frozen=True)
class Household:
    kk_number: str
    village_code: str
    dusun: str
    rt: str
    rw: str
    issued_on: dt.date
    members: list[Person]


@dataclass
class Generator:
    """Generates households village by village; NIK and KK serials stay unique across calls."""

    seed: int = 20261123
    today: dt.date = dt.date(2026, 11, 23)
    rng: random.Random = field(init=False)
    _nik_serial: dict[str, int] = field(default_factory=dict, init=False)
    _kk_serial: dict[str, int] = field(default_factory=dict, init=False)
    _occ: tuple[list[str], list[float]] = field(init=False)
    _rel: tuple[list[str], list[float]] = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self._occ = ([o for o, _ in OCCUPATIONS_ADULT], [w for _, w in OCCUPATIONS_ADULT])
        self._rel = ([r for r, _ in RELIGIONS], [w for _, w in RELIGIONS])

    # --- identity numbers ----------------------------------------------------------------
    def nik(self, kecamatan_digits: str, birth: dt.date, sex: str) -> str:
        day = birth.day + (40 if sex == "P" else 0)
        stem = f"{kecamatan_digits}{day:02d}{birth.month:02d}{birth.year % 100:02d}"
        serial = self._nik_serial.get(stem, 0) + 1
        self._nik_serial[stem] = serial
        return f"{stem}{serial:04d}"

    def kk(self, kecamatan_digits: str, issued: dt.date) -> str:
        stem = f"{kecamatan_digits}{issued.day:02d}{issued.month:02d}{issued.year % 100:02d}"
        serial = self._kk_serial.get(stem, 0) + 1
        self._kk_serial[stem] = serial
        return f"{stem}{serial:04d}"

    # --- people ----------------------------------------------------------------------------
    def birth_date(self, age: int) -> dt.date:
        year = self.today.year - age
        if year < 1960 and self.rng.random() < 0.35:
            month, day = self.rng.choice([(1, 1), (7, 1), (12, 31)])
            return dt.date(year, month, day)
        born = dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))
        return born if born <= self.today else born - dt.timedelta(days=365)  # nobody is born after today

    def name(self, sex: str, birth_year: int) -> str:
        r = self.rng
        if birth_year < 1965:
            if r.random() < 0.6:
                base = r.choice(MALE_OLD if sex == "L" else FEMALE_OLD)
            else:
                base = f"{r.choice(MALE_OLD if sex == 'L' else FEMALE_OLD)} {r.choice(MALE_LAST if sex == 'L' else FEMALE_LAST)}"
        elif birth_year < 1995:
            if r.random() < 0.2:
                base = r.choice(MALE_OLD + MALE_FIRST[:12] if sex == "L" else FEMALE_OLD + FEMALE_FIRST[:8])
            else:
                base = f"{r.choice(MALE_FIRST if sex == 'L' else FEMALE_FIRST)} {r.choice(MALE_LAST if sex == 'L' else FEMALE_LAST)}"
        else:
            first = r.choice(MALE_FIRST if sex == "L" else FEMALE_FIRST).rstrip(".")
            first = {"Moch": "Mochammad", "Moh": "Mohammad", "Muh": "Muhammad", "M": "Muhammad"}.get(first, first)
            words = [first, r.choice(MALE_LAST if sex == "L" else FEMALE_LAST)]
            if r.random() < 0.45:
                words.insert(1, r.choice(MALE_FIRST[12:40] if sex == "L" else FEMALE_FIRST[10:]).rstrip("."))
            base = " ".join(dict.fromkeys(words))
        if birth_year < 1985 and r.random() < 0.04:
            base = f"{r.choice(TITLES_MALE if sex == 'L' else TITLES_FEMALE)} {base}"
        elif 1975 < birth_year < 2000 and r.random() < 0.03:
            base = f"{base}, {r.choice(SUFFIX_TITLES)}"
        return base.upper() if r.random() < 0.3 else base

    def person(self, *, kec: str, place: str, age: int, sex: str, relationship: str, married: bool) -> Person:
        r = self.rng
        birth = self.birth_date(age)
        first_kec = kec if r.random() > 0.06 else f"35{r.choice(['09', '12', '11', '10', '29', '05'])}{r.randrange(1, 20):02d}"
        if age < 5:
            occupation, education = "Belum/tidak bekerja", "tidak_sekolah"
        elif age < 18:
            occupation = "Pelajar/mahasiswa"
            education = "belum_tamat_sd" if age < 12 else ("sd" if age < 15 else "smp")
        else:
            occupation = r.choices(*self._occ)[0]
            if sex == "L" and occupation == "Mengurus rumah tangga":
                occupation = "Wiraswasta"
            if age > 65 and r.random() < 0.5:
                occupation = "Belum/tidak bekerja" if r.random() < 0.7 else "Pensiunan"
            education = r.choices(
                ["tidak_sekolah", "belum_tamat_sd", "sd", "smp", "sma", "d3", "s1", "s2"],
                [3, 6, 30, 22, 28, 3, 7.5, 0.5] if age < 50 else [15, 20, 40, 12, 10, 1, 1.8, 0.2],
            )[0]
        status = "alive"
        roll = r.random()
        if roll < 0.008 + (0.05 if age > 75 else 0):
            status = "deceased"
        elif roll > 0.995:
            status = "moved"
        return Person(
            nik=self.nik(first_kec, birth, sex),
            name=self.name(sex, birth.year),
            sex=sex,
            birth_place=place if r.random() > 0.12 else r.choice(BIRTH_PLACES_EXTRA),
            birth_date=birth,
            religion=r.choices(*self._rel)[0],
            marital_status=("kawin" if married else ("belum_kawin" if age < 30 else r.choice(["cerai_hidup", "cerai_mati", "belum_kawin"]))),
            occupation=occupation,
            education=education,
            status=status,
            relationship=relationship,
        )

    def household(self, *, village_code: str, village_name: str, dusun: Sequence[str]) -> Household:
        r = self.rng
        kec = village_code[:2] + village_code[3:5] + village_code[6:8]
        head_age = int(min(90, max(19, r.gauss(47, 14))))
        head_sex = "L" if r.random() < 0.84 else "P"
        couple = head_sex == "L" and r.random() < 0.88
        members = [self.person(kec=kec, place=village_name if r.random() < 0.85 else "Banyuwangi", age=head_age, sex=head_sex,
                               relationship="kepala", married=couple)]
        mother_age = head_age
        if couple:
            mother_age = max(17, head_age - r.randint(-2, 8))
            members.append(self.person(kec=kec, place=village_name, age=mother_age, sex="P", relationship="istri_suami", married=True))
        n_children = r.choices([0, 1, 2, 3, 4, 5], [14, 26, 30, 18, 8, 4])[0] if head_age < 70 else r.choice([0, 0, 1])
        for _ in range(n_children):
            child_age = max(0, min(mother_age - 18, int(r.uniform(0, max(1, mother_age - 19)))))
            members.append(self.person(kec=kec, place=village_name, age=child_age, sex=r.choice("LP"),
                                       relationship="anak", married=child_age > 24 and r.random() < 0.2))
        if head_age < 50 and r.random() < 0.08:
            members.append(self.person(kec=kec, place=village_name, age=head_age + r.randint(22, 30), sex=r.choice("LP"),
                                       relationship="orang_tua", married=False))
        issued = dt.date(r.randint(2008, 2025), 1, 1) + dt.timedelta(days=r.randrange(360))
        return Household(
            kk_number=self.kk(kec, issued),
            village_code=village_code,
            dusun=r.choice(list(dusun)),
            rt=f"{r.randint(1, 12):03d}",
            rw=f"{r.randint(1, 6):03d}",
            issued_on=issued,
            members=members,
        )

    def village(self, *, code: str, name: str, residents: int) -> Iterator[Household]:
        """Households of one village until about ``residents`` people are generated."""
        dusun = self.rng.sample(DUSUN, k=self.rng.randint(3, 6))
        made = 0
        while made < residents:
            h = self.household(village_code=code, village_name=name, dusun=dusun)
            made += len(h.members)
            yield h


def split_population(total: int, village_codes: Sequence[str], seed: int = 1) -> dict[str, int]:
    """Spread ``total`` residents over villages with realistic unevenness (kelurahan larger)."""
    rng = random.Random(seed)
    weights = [rng.uniform(0.5, 1.6) * (1.4 if code.split(".")[-1].startswith("1") else 1.0) for code in village_codes]
    scale = total / sum(weights)
    shares = {code: int(w * scale) for code, w in zip(village_codes, weights, strict=True)}
    rest = total - sum(shares.values())
    for code in village_codes[:rest]:
        shares[code] += 1
    return shares
