"""Lists and figures per scheme and period: the by-name-by-address (BNBA) list in the shape the
ministries take, the village-meeting minutes (berita acara musdes) as PDF, and counts per
village and kecamatan."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from pendopo.aid.models import Appeal, AppealStatus, MusdesMinutes, Proposal, Scheme
from pendopo.aid.screening import Reason as R
from pendopo.aid.screening import contract_code
from pendopo.core.audit import audit_read
from pendopo.core.errors import PermissionDenied
from pendopo.core.masking import mask_number
from pendopo.core.models import AuditKind, Region
from pendopo.core.roles import Role
from pendopo.core.scopes import scope_for
from pendopo.population.models import FamilyMembership

# Who may take a list with full NIKs out of the system: those who send it on.
EXPORT_ROLES = frozenset({Role.ADMIN, Role.DINSOS, Role.VILLAGE_HEAD, Role.VILLAGE_OPERATOR})
FIGURE_ROLES = frozenset({Role.ADMIN, Role.DINSOS, Role.REGENT_OFFICE, Role.KECAMATAN_OFFICER, Role.VILLAGE_HEAD, Role.VILLAGE_OPERATOR})
REJECT_GROUPS = (R.COVERED.value, R.DECEASED.value, R.MOVED.value, R.DUPLICATE_IN_BATCH.value, R.ALREADY_PROPOSED.value)


def _proposals(actor: Any, scheme: Scheme, period: str, roles: frozenset[str]) -> QuerySet[Proposal]:
    if getattr(actor, "role", None) not in roles:
        raise PermissionDenied("Akun ini tidak boleh melihat daftar ini. / This account may not see this list.")
    qs = Proposal.objects.filter(scheme=scheme, period=period)
    return scope_for(actor).filter_regions(qs, "village__code")


# --- figures ----------------------------------------------------------------------------------

@dataclass
class Row:
    code: str
    name: str
    proposed: int = 0
    accept: int = 0
    reject: int = 0
    review: int = 0
    rejected_by: Counter[str] = field(default_factory=Counter)  # a row rejected for two reasons counts under both
    reject_other: int = 0  # rejected for none of the usual reasons (an officer's decision, for example)
    appeals_open: int = 0
    appeals_granted: int = 0
    appeals_denied: int = 0

    def add(self, other: Row) -> None:
        for f in ("proposed", "accept", "reject", "review", "reject_other", "appeals_open", "appeals_granted", "appeals_denied"):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        self.rejected_by.update(other.rejected_by)

    @property
    def reject_groups(self) -> list[int]:
        return [self.rejected_by.get(code, 0) for code in REJECT_GROUPS]



@dataclass
class Figures:
    scheme: Scheme
    period: str
    kecamatan: str  # "" for the regency, else the kecamatan drilled into
    rows: list[Row]
    total: Row


def figures(*, actor: Any, scheme: Scheme, period: str, kecamatan: str = "") -> Figures:
    """Counts per kecamatan (or per village of one kecamatan): proposed, decided, rejected by
    reason, in review, and appeal outcomes. Counts only: no person is shown."""
    qs = _proposals(actor, scheme, period, FIGURE_ROLES)
    if kecamatan:
        qs = qs.filter(village__parent_id=kecamatan)
    by_village: dict[str, Row] = {}
    for village, decision, reasons in qs.values_list("village_id", "decision", "reasons").iterator(chunk_size=5000):
        row = by_village.setdefault(village or "", Row(village or "", ""))
        row.proposed += 1
        setattr(row, decision, getattr(row, decision) + 1)
        if decision == "reject":
            codes = {contract_code(R(c)) for c in reasons if c in R.__members__.values()} & set(REJECT_GROUPS)
            row.rejected_by.update(codes)
            row.reject_other += not codes
    appeals = Appeal.objects.filter(proposal__in=qs).values_list("proposal__village_id", "status")
    for village, status in appeals:
        row = by_village.setdefault(village or "", Row(village or "", ""))
        if status == AppealStatus.GRANTED:
            row.appeals_granted += 1
        elif status == AppealStatus.DENIED:
            row.appeals_denied += 1
        else:
            row.appeals_open += 1
    regions = {r.code: r for r in Region.objects.filter(code__in=[c for c in by_village if c]).select_related("parent")}
    groups: dict[str, Row] = {}
    for code, row in by_village.items():
        region = regions.get(code)
        if kecamatan:
            key, name = code, (region.name if region else "—")
        else:
            parent = region.parent if region else None
            key, name = (parent.code, parent.name) if parent else ("", "—")
        g = groups.setdefault(key, Row(key, name))
        g.add(row)
    rows = sorted(groups.values(), key=lambda r: r.name)
    total = Row("", "")
    for r in rows:
        total.add(r)
    return Figures(scheme, period, kecamatan, rows, total)


# --- BNBA ---------------------------------------------------------------------------------------

BNBA_HEADER = ("NO", "PROVINSI", "KABUPATEN/KOTA", "KECAMATAN", "DESA/KELURAHAN", "NO KK", "NIK", "NAMA", "JENIS KELAMIN",
               "TEMPAT LAHIR", "TANGGAL LAHIR", "ALAMAT", "RT", "RW", "PROGRAM", "PERIODE", "KETERANGAN")


def bnba_workbook(*, actor: Any, scheme: Scheme, period: str, village: str) -> tuple[bytes, int]:
    """The accepted recipients of one village, by name and address, one row per person, in
    the columns ministries' upload sheets use (headers in capitals, dates DD-MM-YYYY, NIK and
    KK as text so Excel keeps every digit). Every export is audited with who is in it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    if getattr(actor, "role", None) not in EXPORT_ROLES:
        raise PermissionDenied("Akun ini tidak boleh mengekspor daftar penerima. / This account may not export recipient lists.")
    region = Region.objects.filter(code=village).select_related("parent__parent__parent").first()
    if region is None or not scope_for(actor).covers_region(village):
        raise PermissionDenied("Desa ini di luar kewenangan akun Anda. / This village is outside your account's scope.")
    rows = list(Proposal.objects.filter(scheme=scheme, period=period, village_id=village, decision="accept", resident__isnull=False)
                .select_related("resident").order_by("resident__dusun", "resident__rt", "resident__name"))
    kk_of = dict(FamilyMembership.objects.filter(resident__in=[p.resident_id for p in rows], valid_to__isnull=True)
                 .values_list("resident_id", "family__kk_number"))
    kec = region.parent
    kab = kec.parent if kec else None
    prov = kab.parent if kab else None
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"BNBA {scheme.code}"[:31]
    ws.append(list(BNBA_HEADER))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for n, p in enumerate(rows, start=1):
        r = p.resident
        assert r is not None
        ws.append([n, prov.name if prov else "", kab.name if kab else "", kec.name if kec else "", region.name, kk_of.get(r.pk, ""),
                   r.nik, r.name.upper(), "LAKI-LAKI" if r.sex == "L" else "PEREMPUAN", r.birth_place.upper(),
                   r.birth_date.strftime("%d-%m-%Y"), r.address.upper(), r.rt, r.rw, scheme.code, period,
                   "HASIL PENYARINGAN OTOMATIS" if p.auto_decision == "accept" else "DITERIMA SETELAH PEMERIKSAAN"])
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=7):
        for cell in row:
            cell.number_format = "@"  # text: a 16-digit number would lose its last digit
    for col, width in zip("ABCDEFGHIJKLMNOPQ", (5, 12, 14, 14, 16, 19, 19, 28, 12, 14, 12, 32, 5, 5, 10, 8, 28), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    audit_read(actor=actor, action="aid.bnba.export", object_type="resident", object_ids=[p.resident_id for p in rows],
               detail={"scheme": scheme.code, "period": period, "village": village}, kind=AuditKind.EXPORT)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), len(rows)


# --- berita acara musdes ----------------------------------------------------------------------------

_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember")


def tanggal(d: dt.date) -> str:
    """``Senin, 23 November 2026``: how an official Indonesian document writes a date."""
    return f"{_DAYS[d.weekday()]}, {d.day} {_MONTHS[d.month - 1]} {d.year}"


def musdes_pdf(*, actor: Any, minutes: MusdesMinutes) -> bytes:
    """The minutes of the village meeting that agreed the list: who met, what was decided, the
    accepted recipients (NIK masked: the minutes are posted at the village hall), the counts
    of the screening, and room for the signatures."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if not scope_for(actor).covers_region(minutes.village_id):
        raise PermissionDenied("Desa ini di luar kewenangan akun Anda. / This village is outside your account's scope.")
    village = Region.objects.select_related("parent__parent").get(code=minutes.village_id)
    kec = village.parent
    proposals = list(Proposal.objects.filter(scheme=minutes.scheme, period=minutes.period, village=village)
                     .select_related("resident").order_by("resident__dusun", "resident__rt", "resident__name"))
    counts = Counter(p.decision for p in proposals)
    accepted = [p for p in proposals if p.decision == "accept" and p.resident is not None]
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["Normal"], fontName="Helvetica", fontSize=10.5, leading=14)
    center = ParagraphStyle("center", parent=body, alignment=1)
    title = ParagraphStyle("title", parent=center, fontName="Helvetica-Bold", fontSize=12, leading=16)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=10)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=2.2 * cm, rightMargin=2 * cm, topMargin=1.8 * cm, bottomMargin=1.8 * cm,
                            title=f"Berita Acara Musdes {minutes.scheme.code} {village.name}", author="Pendopo")
    story: list[Any] = [
        Paragraph(f"PEMERINTAH {(kec.parent.name if kec and kec.parent else 'KABUPATEN BANYUWANGI').upper()}", title),
        Paragraph(f"KECAMATAN {(kec.name if kec else '').upper()}", title),
        Paragraph(f"{'KELURAHAN' if village.kind == 'kelurahan' else 'DESA'} {village.name.upper()}", title),
        Spacer(1, 0.4 * cm),
        Paragraph("<u>BERITA ACARA MUSYAWARAH DESA</u>", title),
        Paragraph(f"PENETAPAN CALON PENERIMA {minutes.scheme.name.upper()} ({minutes.scheme.code}) PERIODE {minutes.period}", center),
        Paragraph(f"Nomor: {minutes.number or '.................................'}", center),
        Spacer(1, 0.5 * cm),
        Paragraph(f"Pada hari ini {tanggal(minutes.held_on)}, bertempat di {minutes.place}, telah dilaksanakan Musyawarah Desa "
                  f"yang dipimpin oleh {minutes.chair} dan dihadiri oleh {minutes.attendees} orang peserta yang terdiri atas unsur "
                  f"Pemerintah Desa, Badan Permusyawaratan Desa, tokoh masyarakat, dan perwakilan warga.", body),
        Spacer(1, 0.25 * cm),
        Paragraph(f"Musyawarah membahas daftar calon penerima {minutes.scheme.code} yang telah disaring secara otomatis oleh "
                  f"sistem Pendopo terhadap data kependudukan dan data penerima seluruh program bantuan sosial, sehingga penerima "
                  f"tidak tumpang tindih. Hasil penyaringan: {len(proposals)} orang diusulkan, {counts.get('accept', 0)} memenuhi "
                  f"syarat, {counts.get('reject', 0)} tidak memenuhi syarat, dan {counts.get('review', 0)} masih diperiksa "
                  f"Dinas Sosial.", body),
        Spacer(1, 0.25 * cm),
        Paragraph(f"Musyawarah menyepakati {len(accepted)} orang calon penerima sebagaimana daftar berikut:", body),
        Spacer(1, 0.2 * cm),
    ]
    data: list[list[Any]] = [["No", "Nama", "NIK", "Alamat", "Keterangan"]]
    for n, p in enumerate(accepted, start=1):
        r = p.resident
        assert r is not None
        data.append([str(n), Paragraph(r.name, small), mask_number(r.nik), Paragraph(r.address, small),
                     Paragraph("otomatis" if p.auto_decision == "accept" else "setelah pemeriksaan", small)])
    if len(data) == 1:
        data.append(["—", "Tidak ada calon yang memenuhi syarat", "", "", ""])
    table = Table(data, colWidths=[1 * cm, 5 * cm, 3.6 * cm, 4.6 * cm, 2.6 * cm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9), ("FONT", (0, 1), (-1, -1), "Helvetica", 8.5),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story += [table, Spacer(1, 0.4 * cm)]
    if minutes.notes:
        story += [Paragraph(f"Catatan musyawarah: {minutes.notes}", body), Spacer(1, 0.3 * cm)]
    story.append(Paragraph("Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana mestinya.", body))
    story.append(Spacer(1, 0.6 * cm))
    signatures = Table([
        [Paragraph("Ketua BPD,", center), Paragraph("Pimpinan Musyawarah,", center), Paragraph(f"Kepala Desa {village.name},", center)],
        ["", "", ""],
        [Paragraph(f"<b>{minutes.bpd_chair}</b>", center), Paragraph(f"<b>{minutes.chair}</b>", center),
         Paragraph(f"<b>{minutes.village_head}</b>", center)],
    ], colWidths=[5.5 * cm] * 3, rowHeights=[None, 2 * cm, None])
    story.append(signatures)
    story.append(Spacer(1, 0.5 * cm))
    story.append(Paragraph(f"Dicetak dari Pendopo pada {tanggal(dt.date.today())}; NIK ditampilkan tersamar sesuai UU No. 27 "  # noqa: DTZ011
                           f"Tahun 2022 tentang Pelindungan Data Pribadi.", small))
    doc.build(story)
    audit_read(actor=actor, action="aid.musdes.print", object_type="resident", object_ids=[p.resident_id for p in accepted],
               detail={"minutes": minutes.pk, "scheme": minutes.scheme.code, "village": village.code}, kind=AuditKind.EXPORT)
    return buf.getvalue()


MUSDES_ROLES = frozenset({Role.ADMIN, Role.DINSOS, Role.VILLAGE_HEAD, Role.VILLAGE_OPERATOR})


def musdes_record(*, actor: Any, scheme: Scheme, village: str, data: dict[str, Any]) -> MusdesMinutes:
    """Keep the meeting's particulars so its minutes can be printed (and printed again)."""
    from pendopo.core.audit import audit_write

    if getattr(actor, "role", None) not in MUSDES_ROLES:
        raise PermissionDenied("Akun ini tidak boleh membuat berita acara. / This account may not write meeting minutes.")
    if not scope_for(actor).covers_region(village) or not Region.objects.filter(code=village).exists():
        raise PermissionDenied("Desa ini di luar kewenangan akun Anda. / This village is outside your account's scope.")
    m = MusdesMinutes(scheme=scheme, period=scheme.period, village_id=village, created_by=actor,
                      **{k: data[k] for k in ("number", "held_on", "place", "chair", "bpd_chair", "village_head", "attendees", "notes")})
    m.full_clean()
    m.save()
    audit_write(actor=actor, action="aid.musdes.create", obj=m, changes={"scheme": scheme.code, "village": village,
                                                                         "held_on": m.held_on.isoformat()})
    return m


def musdes_list(*, actor: Any) -> QuerySet[MusdesMinutes]:
    if getattr(actor, "role", None) not in MUSDES_ROLES:
        raise PermissionDenied("Akun ini tidak boleh melihat berita acara. / This account may not see meeting minutes.")
    return scope_for(actor).filter_regions(MusdesMinutes.objects.select_related("scheme", "village"), "village__code")
