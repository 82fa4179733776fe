-- 020_book_share: whether a writer lets readers of a public story download
-- it as a book (EPUB; issue 19). Off until she turns it on.
ALTER TABLE users ADD COLUMN book_share INTEGER NOT NULL DEFAULT 0;
