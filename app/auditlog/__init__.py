"""The administrator's view of the audit log."""
