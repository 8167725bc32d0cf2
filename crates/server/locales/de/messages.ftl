# messages (de): filled in by its owner.
