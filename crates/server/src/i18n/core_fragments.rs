//! Every fixed sentence fragment the core refuses with has a translation (filled in by its owner).
