"""LAPSITDA harian: daily situation reports, province review, compliance, recap, search and export."""
