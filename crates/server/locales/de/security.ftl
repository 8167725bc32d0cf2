# security (de): filled in by its owner.
