"""Laporan khusus (LAPSUS): urgent single-event reports outside the daily cycle."""
