"""Kuesioner: questionnaire templates, rounds, and fast entry of paper forms."""
