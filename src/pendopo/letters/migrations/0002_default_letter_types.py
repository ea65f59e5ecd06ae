from django.db import migrations

F = lambda name, label, required=True: {"name": name, "label": label, "required": required}  # noqa: E731
KTP_KK = ["Fotokopi KTP", "Fotokopi KK"]
TYPES = [
    ("SKU", "Surat Keterangan Usaha", [F("usaha", "Nama/jenis usaha"), F("lokasi_usaha", "Lokasi usaha"), F("sejak", "Berdiri sejak")],
     [*KTP_KK, "Foto tempat usaha"], 2,
     "Orang tersebut di atas benar warga Desa {desa} dan benar mempunyai usaha {usaha} yang berlokasi di {lokasi_usaha} "
     "sejak {sejak}.\n\nSurat keterangan ini diberikan untuk keperluan {keperluan}."),
    ("DOM", "Surat Keterangan Domisili", [F("sejak", "Berdomisili sejak")], KTP_KK, 2,
     "Orang tersebut di atas benar berdomisili di {alamat}, Desa {desa}, Kecamatan {kecamatan}, sejak {sejak}.\n\n"
     "Surat keterangan ini diberikan untuk keperluan {keperluan}."),
    ("SKTM", "Surat Keterangan Tidak Mampu", [F("penghasilan", "Penghasilan keluarga per bulan"),
                                               F("tanggungan", "Jumlah tanggungan")], [*KTP_KK, "Surat pengantar RT/RW"], 1,
     "Orang tersebut di atas benar warga Desa {desa} yang berasal dari keluarga kurang mampu, dengan penghasilan keluarga "
     "sekitar {penghasilan} per bulan dan {tanggungan} orang tanggungan.\n\nSurat keterangan ini diberikan untuk keperluan {keperluan}."),
    ("SKCK", "Surat Pengantar SKCK", [], [*KTP_KK, "Pas foto 4x6"], 2,
     "Orang tersebut di atas benar warga Desa {desa} dan sepanjang pengetahuan kami berkelakuan baik serta tidak pernah "
     "tersangkut perkara pidana.\n\nSurat ini diberikan sebagai pengantar untuk memperoleh Surat Keterangan Catatan Kepolisian "
     "(SKCK) guna keperluan {keperluan}."),
    ("LAHIR", "Surat Keterangan Kelahiran", [F("nama_anak", "Nama anak"), F("tanggal_lahir_anak", "Tanggal lahir anak"),
                                              F("tempat_lahir_anak", "Tempat lahir anak"), F("jenis_kelamin_anak", "Jenis kelamin anak")],
     ["Surat keterangan lahir dari bidan/rumah sakit", *KTP_KK], 24,
     "Orang tersebut di atas adalah orang tua dari seorang anak bernama {nama_anak}, jenis kelamin {jenis_kelamin_anak}, "
     "yang lahir di {tempat_lahir_anak} pada tanggal {tanggal_lahir_anak}.\n\nSurat keterangan ini diberikan untuk keperluan {keperluan}."),
    ("MATI", "Surat Keterangan Kematian", [F("tanggal_meninggal", "Tanggal meninggal (TTTT-BB-HH)"),
                                            F("tempat_meninggal", "Tempat meninggal"), F("sebab", "Sebab meninggal", False)],
     ["Surat keterangan kematian dari puskesmas/rumah sakit atau dua saksi", "KK almarhum"], 24,
     "Orang tersebut di atas telah meninggal dunia pada tanggal {tanggal_meninggal} di {tempat_meninggal}.\n\n"
     "Surat keterangan ini diberikan untuk keperluan {keperluan}."),
    ("PINDAH", "Surat Keterangan Pindah", [F("alamat_tujuan", "Alamat tujuan"), F("alasan_pindah", "Alasan pindah")], KTP_KK, 24,
     "Orang tersebut di atas benar warga Desa {desa} yang akan pindah ke {alamat_tujuan} dengan alasan {alasan_pindah}.\n\n"
     "Surat keterangan ini diberikan untuk keperluan {keperluan}."),
    ("BEDA", "Surat Keterangan Beda Identitas", [F("data_berbeda", "Data yang berbeda (mis. nama pada ijazah)"),
                                                 F("dokumen", "Dokumen yang berbeda")], [*KTP_KK, "Dokumen yang berbeda"], 24,
     "Orang tersebut di atas adalah orang yang sama dengan yang tercantum pada {dokumen} dengan data {data_berbeda}; "
     "perbedaan tersebut terjadi karena kesalahan penulisan.\n\nSurat keterangan ini diberikan untuk keperluan {keperluan}."),
    ("PENGANTAR", "Surat Pengantar", [F("perihal", "Perihal")], KTP_KK, 2,
     "Orang tersebut di atas benar warga Desa {desa}. Surat pengantar ini diberikan perihal {perihal}, "
     "untuk keperluan {keperluan}."),
]


def load(apps, schema_editor):
    LetterType = apps.get_model("letters", "LetterType")
    for code, name, fields, attachments, hours, body in TYPES:
        LetterType.objects.update_or_create(code=code, defaults={
            "name": name, "fields": fields, "attachments": attachments, "target_hours": hours, "body": body,
            "records_death": code == "MATI", "shows_aid": code == "SKTM"})


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
