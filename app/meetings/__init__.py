"""Rapat koordinasi: meetings, attendance, minutes and follow-ups."""
