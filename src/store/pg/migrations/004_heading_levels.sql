-- 004_heading_levels: the twin of SQLite's 013. Body headings nest from
-- <h2> (## is <h2>, ### <h3> ...); stories rendered before had every
-- level one lower, so their stored HTML moves each level up one, lowest
-- first (<h6> was ##### or ######: <h5>). Only tags match: text in the
-- HTML has its '<' escaped by the renderer.
UPDATE stories SET body_html =
	replace(replace(replace(replace(replace(replace(replace(replace(body_html,
		'<h3>', '<h2>'), '</h3>', '</h2>'),
		'<h4>', '<h3>'), '</h4>', '</h3>'),
		'<h5>', '<h4>'), '</h5>', '</h4>'),
		'<h6>', '<h5>'), '</h6>', '</h5>')
	WHERE body_html LIKE '%<h_>%';
