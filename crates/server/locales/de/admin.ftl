# admin (de): filled in by its owner.
