# admin (en): filled in by its owner.
