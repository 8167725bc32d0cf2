# messages (en): filled in by its owner.
