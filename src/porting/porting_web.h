/*
 * porting_web.h - the web side of porting/: the settings page's
 * "Download everything" (export.h). Only the route table includes it.
 */
#ifndef QUIRE_PORTING_PORTING_WEB_H
#define QUIRE_PORTING_PORTING_WEB_H

#include "http/http.h"

/* POST /settings/export (csrf): the signed-in account's own export as a
 * zip attachment; 401 for anyone else, 403 without the form's token. */
void page_settings_export_post(struct http_req *req, struct http_res *res);

#endif
