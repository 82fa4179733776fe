-- 013_heading_levels: body headings nest from <h2> (issue 17). Stories
-- are rendered once, at save time; those saved before had every level
-- moved down one (# and ## as <h2> and <h3>, ### as <h4> ...). Now ##
-- is <h2>, ### <h3> and so on, so the stored HTML moves each level up
-- one, lowest first: <h3> was ##, <h4> ###, <h5> ####, and <h6> was
-- ##### (or ######, which can no longer be told apart: <h5>). Only tags
-- match: text in the HTML has its '<' escaped by the renderer.
UPDATE stories SET body_html =
	replace(replace(replace(replace(replace(replace(replace(replace(body_html,
		'<h3>', '<h2>'), '</h3>', '</h2>'),
		'<h4>', '<h3>'), '</h4>', '</h3>'),
		'<h5>', '<h4>'), '</h5>', '</h4>'),
		'<h6>', '<h5>'), '</h6>', '</h5>')
	WHERE body_html LIKE '%<h_>%';
