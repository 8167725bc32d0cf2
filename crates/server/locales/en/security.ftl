# security (en): filled in by its owner.
