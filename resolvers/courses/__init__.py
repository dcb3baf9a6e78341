"""Use cases of the catalog: courses, their taxonomy, search and its index, the in-memory snapshot, enrolments and
ratings."""
