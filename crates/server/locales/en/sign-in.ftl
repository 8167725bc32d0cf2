# sign-in (en): filled in by its owner.
