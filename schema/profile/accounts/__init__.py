"""Connected third-party accounts and the provenance of profile fields."""
