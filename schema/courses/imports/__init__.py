"""The catalog's import status (partners and admins)."""
