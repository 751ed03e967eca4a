"""Log-in, log-out, own password, and user administration."""
