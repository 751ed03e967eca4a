"""In-app notifications and their e-mail copies."""
