"""The signed letter as PDF: the village letterhead, the title and number, the resident's data
from the registry, the body, the signature block, and a QR code with the short verification code."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.urls import reverse

from pendopo.letters.models import LetterRequest
from pendopo.letters.services import _region_names, tanggal


def verification_url(code: str) -> str:
    base = getattr(settings, "PENDOPO_PUBLIC_URL", "").rstrip("/")
    return f"{base}{reverse('letters:verify', args=[code])}"


def letter_pdf(req: LetterRequest, body: str) -> bytes:
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Frame, Paragraph, Spacer, Table, TableStyle

    desa, kec, kab = _region_names(req.village_id)
    r = req.resident
    buf = io.BytesIO()
    # invariant: the same letter draws the same bytes, so its fingerprint can be recomputed.
    c = Canvas(buf, pagesize=A4, invariant=True)
    c.setTitle(f"{req.letter_type.name} {req.number}")
    c.setAuthor(f"Pemerintah Desa {desa}")
    w, h = A4
    c.setFont("Helvetica-Bold", 13)
    c.drawCentredString(w / 2, h - 2.0 * cm, f"PEMERINTAH {kab.upper()}")
    c.drawCentredString(w / 2, h - 2.6 * cm, f"KECAMATAN {kec.upper()}")
    c.setFont("Helvetica-Bold", 15)
    c.drawCentredString(w / 2, h - 3.3 * cm, f"{'KELURAHAN' if req.village.kind == 'kelurahan' else 'DESA'} {desa.upper()}")
    c.setLineWidth(2)
    c.line(2 * cm, h - 3.7 * cm, w - 2 * cm, h - 3.7 * cm)
    c.setLineWidth(0.5)
    c.line(2 * cm, h - 3.8 * cm, w - 2 * cm, h - 3.8 * cm)

    base = ParagraphStyle("b", fontName="Helvetica", fontSize=11, leading=15)
    center = ParagraphStyle("c", parent=base, alignment=1)
    title = ParagraphStyle("t", parent=center, fontName="Helvetica-Bold", fontSize=12.5, leading=16)
    rows = [["Nama", ":", r.name], ["NIK", ":", r.nik], ["Tempat, tanggal lahir", ":", f"{r.birth_place}, {tanggal(r.birth_date)}".lstrip(", ")],
            ["Jenis kelamin", ":", r.get_sex_display()], ["Agama", ":", r.get_religion_display() or "-"],
            ["Status perkawinan", ":", r.get_marital_status_display() or "-"], ["Pekerjaan", ":", r.occupation or "-"],
            ["Alamat", ":", Paragraph(f"{r.address}, Desa {desa}, Kecamatan {kec}", base)]]
    data = Table(rows, colWidths=[4.6 * cm, 0.5 * cm, 11 * cm])
    data.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "Helvetica", 11), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 2), ("TOPPADDING", (0, 0), (-1, -1), 2)]))
    story: list[Any] = [
        Paragraph(f"<u>{req.letter_type.name.upper()}</u>", title),
        Paragraph(f"Nomor: {req.number}", center),
        Spacer(1, 0.5 * cm),
        Paragraph(f"Yang bertanda tangan di bawah ini, Kepala Desa {desa}, Kecamatan {kec}, {kab}, menerangkan bahwa:", base),
        Spacer(1, 0.2 * cm),
        data,
        Spacer(1, 0.3 * cm),
    ]
    for para in [p.strip() for p in body.split("\n\n") if p.strip()]:
        story += [Paragraph(para.replace("\n", "<br/>"), base), Spacer(1, 0.2 * cm)]
    story.append(Paragraph("Demikian surat keterangan ini dibuat untuk dipergunakan sebagaimana mestinya.", base))
    frame = Frame(2.2 * cm, 8.5 * cm, w - 4.2 * cm, h - 12.6 * cm, showBoundary=0)
    frame.addFromList(story, c)
    if story:
        raise ValueError("isi surat terlalu panjang untuk satu halaman / the letter does not fit one page")

    signed = req.signed_at.date() if req.signed_at else None
    x = w - 8.5 * cm
    c.setFont("Helvetica", 11)
    c.drawString(x, 7.6 * cm, f"{desa}, {tanggal(signed) if signed else ''}")
    c.drawString(x, 7.0 * cm, f"Kepala Desa {desa}")
    c.setFont("Helvetica-Oblique", 8.5)
    c.drawString(x, 6.2 * cm, "Ditandatangani secara elektronik")
    c.setFont("Helvetica-Bold", 11)
    c.drawString(x, 4.9 * cm, req.signer_name)

    code = req.code or ""
    url = verification_url(code)
    qr = QrCodeWidget(url)
    x0, y0, x1, y1 = qr.getBounds()
    size = 3.2 * cm
    d = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    d.add(qr)
    renderPDF.draw(d, c, 2.2 * cm, 3.4 * cm)
    c.setFont("Helvetica", 8.5)
    c.drawString(5.7 * cm, 6.0 * cm, "Periksa keaslian surat ini / verify this letter:")
    c.drawString(5.7 * cm, 5.5 * cm, url)
    c.setFont("Helvetica-Bold", 12)
    c.drawString(5.7 * cm, 4.8 * cm, f"Kode: {code}")
    c.setFont("Helvetica", 7.5)
    c.drawString(2.2 * cm, 2.2 * cm, "Dokumen ini diterbitkan melalui Pendopo. Data pribadi dilindungi UU No. 27 Tahun 2022.")
    c.showPage()
    c.save()
    return buf.getvalue()
