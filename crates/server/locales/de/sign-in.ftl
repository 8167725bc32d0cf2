# sign-in (de): filled in by its owner.
