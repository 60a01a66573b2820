"""Email: the SMTP server from SMTP_URL (smtp.py) and the morning reminder's message (letters.py)."""
