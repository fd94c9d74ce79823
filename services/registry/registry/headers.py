"""Column names as offices write them (`NAMA PERUSAHAAN`, `NO. HP`, `TENAGA KERJA / JML`), mapped
onto the import's fields. The template's own names and aliases are in `import_format.COLUMNS`; these
are the further names of a Disperindag office's workbook, and the few fields only such a workbook has
(regions by name, workers by gender, the capacity's unit)."""

from __future__ import annotations

import re

# Fields an office workbook may have beyond the template's columns.
OFFICE_FIELDS = ("regency_name", "district_name", "village_name", "workers_male", "workers_female", "capacity_unit")

# header key (see `header_key`) -> field
OFFICE_ALIASES: dict[str, str] = {
    "nama_usaha_perusahaan": "name", "nama_perusahaan_usaha": "name", "nama_ikm_perusahaan": "name",
    "nama_unit_usaha": "name", "nama_pemilik_penanggung_jawab": "owner_name", "pemilik": "owner_name",
    "nama_pengusaha": "owner_name", "nik_ktp": "owner_nik", "no_ktp": "owner_nik", "no_nik": "owner_nik",
    "nomor_nik": "owner_nik", "no_hp": "owner_phone", "no_telp": "owner_phone", "no_telp_hp": "owner_phone",
    "no_hp_wa": "owner_phone", "telp_hp": "owner_phone", "hp": "owner_phone", "kontak": "owner_phone",
    "nomor_hp": "owner_phone", "no_wa": "owner_phone", "l_p": "owner_gender", "jk": "owner_gender",
    "alamat_usaha": "address", "alamat_perusahaan": "address", "alamat_lengkap": "address",
    "kabupaten": "regency_name", "kabupaten_kota": "regency_name", "kab_kota": "regency_name",
    "kota": "regency_name", "kecamatan": "district_name", "kec": "district_name", "desa": "village_name",
    "kelurahan": "village_name", "desa_kelurahan": "village_name", "desa_kel": "village_name",
    "kel_desa": "village_name", "kelurahan_desa": "village_name",
    "komoditi_produk": "product_name", "komoditi": "product_name", "komoditas": "product_name",
    "jenis_produk": "product_name", "produk_utama": "product_name", "nama_produk_komoditi": "product_name",
    "jenis_industri_kbli": "kbli", "kbli_jenis_industri": "kbli", "kode_kbli": "kbli", "jenis_industri": "kbli",
    "tenaga_kerja_jml": "workers", "tenaga_kerja_jumlah": "workers", "tenaga_kerja_orang": "workers",
    "jumlah_tk": "workers", "tk": "workers", "tenaga_kerja_total": "workers",
    "tenaga_kerja_l": "workers_male", "tenaga_kerja_lk": "workers_male", "tenaga_kerja_laki_laki": "workers_male",
    "tenaga_kerja_p": "workers_female", "tenaga_kerja_pr": "workers_female",
    "tenaga_kerja_perempuan": "workers_female",
    "nilai_investasi_rp": "investment_idr", "investasi_rp": "investment_idr", "modal_usaha": "investment_idr",
    "omzet": "annual_sales_idr", "omset": "annual_sales_idr", "omzet_per_tahun": "annual_sales_idr",
    "omzet_rp": "annual_sales_idr", "omzet_tahun_rp": "annual_sales_idr",
    "kapasitas_produksi": "product_monthly_capacity", "kapasitas": "product_monthly_capacity",
    "kapasitas_produksi_jumlah": "product_monthly_capacity", "kapasitas_produksi_jml": "product_monthly_capacity",
    "kapasitas_produksi_per_bulan": "product_monthly_capacity", "satuan": "capacity_unit",
    "kapasitas_produksi_satuan": "capacity_unit", "satuan_kapasitas": "capacity_unit",
    "sertifikat": "cert_kind", "sertifikasi": "cert_kind", "jenis_sertifikasi": "cert_kind",
    "no_sertifikat": "cert_number", "nomor_sertifikasi": "cert_number", "no_sertifikasi": "cert_number",
    "masa_berlaku": "cert_valid_until", "berlaku_sampai": "cert_valid_until",
    "masa_berlaku_sertifikat": "cert_valid_until", "sub_sektor": "sector", "sub_sektor_ekraf": "sector",
    "badan_usaha": "business_form", "bentuk_badan_usaha": "business_form",
}

# Columns an office keeps that the register has no place for yet: read past with a warning.
NOT_STORED: dict[str, tuple[str, str]] = {
    "tahun_berdiri": ("tahun berdiri", "year founded"), "tahun_mulai_usaha": ("tahun berdiri", "year founded"),
    "tgl_terbit_nib": ("tanggal terbit NIB", "NIB issue date"),
    "tanggal_terbit_nib": ("tanggal terbit NIB", "NIB issue date"),
    "ket": ("keterangan", "remarks"), "keterangan": ("keterangan", "remarks"),
}
# A row number: nothing to store and nothing to warn about.
ROW_NUMBER = frozenset({"no", "nomor", "no_urut", "nomor_urut"})


def header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")
