"""Skor dan peringkat: the scoring module, index definitions, published results and the ranking pages."""
