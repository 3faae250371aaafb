"""What changed since I last looked: searches and collections a reader follows, and the
feed of documents added, opened by embargo or corrected in them (also as Atom).
Package level imports nothing (the store's interface imports `records`)."""
