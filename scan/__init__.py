"""`make scan` (quality S9): sqlmap over every GET and form parameter, bandit and semgrep with local rules."""
