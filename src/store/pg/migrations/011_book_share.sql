-- 011_book_share: the twin of SQLite's 020. Whether a writer lets readers
-- of a public story download it as a book (EPUB); off until she says so.
ALTER TABLE users ADD COLUMN book_share BOOLEAN NOT NULL DEFAULT false;
