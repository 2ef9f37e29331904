"""Arrow schemas and record validation: the contracts between stages and with users."""
