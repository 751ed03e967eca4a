"""Regions: provinsi → kabupaten/kota → kecamatan."""
