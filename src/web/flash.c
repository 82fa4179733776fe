/*
 * flash.c - one short message that survives a redirect (web.h,
 * web_flash): what just happened after a form was sent.
 *
 * The message is never text from the request. A form handler names one
 * of the fixed messages below (and at most one handle, checked to be a
 * handle); the browser keeps only that code, an expiry a minute away and
 * a MAC over both with the server key, in an HttpOnly cookie. The next
 * page rendered for that browser turns the code back into its sentence
 * (escaped by the template, like any text) and clears the cookie. A
 * cookie that was edited, is for another site or has expired shows
 * nothing. No JavaScript is involved, and a page with a flash is never
 * stored in the page cache (it carries a Cookie header and a Set-Cookie).
 *
 * Also here: the confirmation step of destructive actions
 * (web_confirm_render), the other half of "what will happen / what
 * happened" for forms.
 */
#include "web/web.h"
#include "core/crypto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLASH_TTL 60
#define FLASH_ARG_MAX 30

/* Indexed by enum web_flash. "@@" stands for "@handle". */
static const char *const messages[WEB_FLASH_COUNT] = {
	[WEB_FLASH_NONE] = NULL,
	[WEB_FLASH_SETUP] = "Welcome: your admin account is ready. Give the site its name in "
			    "Admin, or start with Write.",
	[WEB_FLASH_SIGNUP] = "Welcome to the site: your account is ready, and you are signed in.",
	[WEB_FLASH_SIGNUP_JOINED] = "Welcome: your account is ready, you joined @@'s circle and "
				    "now follow @@.",
	[WEB_FLASH_SIGNIN] = "Signed in as @@.",
	[WEB_FLASH_PUBLISHED] = "Published. This is your story as readers see it.",
	[WEB_FLASH_UPDATED] = "The published story is updated: readers now see your changes.",
	[WEB_FLASH_SAVED] = "Saved.",
	[WEB_FLASH_HELD] = "Changes saved, not yet published: readers still see the published "
			   "version until you press Update the published story.",
	[WEB_FLASH_DISCARDED] = "Your changes were discarded; this is the published version.",
	[WEB_FLASH_UNPUBLISHED] = "Unpublished: the story is a draft again, and only you can see it.",
	[WEB_FLASH_SCHEDULED] = "Scheduled. It stays a draft that only you can see until then.",
	[WEB_FLASH_UNSCHEDULED] = "The schedule is cancelled; the story is a draft.",
	[WEB_FLASH_DELETED] = "The story was moved to the trash. You can restore it from there "
			      "for 30 days.",
	[WEB_FLASH_RESTORED] = "The story is back in your stories.",
	[WEB_FLASH_PURGED] = "Deleted for good.",
	[WEB_FLASH_REVISION_RESTORED] = "That version is restored into the editor.",
	[WEB_FLASH_JOINED] = "You joined @@'s circle and now follow @@: the stories for the circle "
			     "are on your home page.",
	[WEB_FLASH_ALREADY_MEMBER] = "You are already in this circle of @@'s.",
	[WEB_FLASH_INVITE_DECLINED] = "You declined the invitation.",
	[WEB_FLASH_BLOCKED] = "@@ is blocked: their responses are hidden from everyone and they "
			      "can no longer respond to you or read your circle stories.",
	[WEB_FLASH_UNBLOCKED] = "@@ is unblocked.",
	[WEB_FLASH_SERVER_BLOCKED] = "The server is blocked: nothing from it reaches you, its "
				     "followers of yours are removed and nothing of yours is sent there.",
	[WEB_FLASH_SERVER_UNBLOCKED] = "The server is unblocked.",
	[WEB_FLASH_ACTOR_BLOCKED] = "The account is blocked: nothing from it reaches you, its "
				    "follow of you ends and nothing of yours is sent to it.",
	[WEB_FLASH_ACTOR_UNBLOCKED] = "The account is unblocked.",
	[WEB_FLASH_FOLLOWER_APPROVED] = "Approved: they follow you now.",
	[WEB_FLASH_FOLLOWER_REJECTED] = "Declined: they do not follow you.",
	[WEB_FLASH_RESPONSE_SENT] = "Your response is posted.",
	[WEB_FLASH_RESPONSE_HELD] = "Your response was sent. It waits for the writer's approval; "
				    "until then only you can see it.",
	[WEB_FLASH_RESPONSE_SAVED] = "Your response is saved.",
	[WEB_FLASH_RESPONSE_DELETED] = "The response is deleted.",
	[WEB_FLASH_RESPONSE_APPROVED] = "The response is approved: readers see it now.",
	[WEB_FLASH_RESPONSE_HIDDEN] = "The response is hidden from readers.",
	[WEB_FLASH_RESPONSE_UNHIDDEN] = "The response is shown to readers again.",
	[WEB_FLASH_REPORTED] = "Thank you: the writer will see your report.",
	[WEB_FLASH_SETTINGS_SAVED] = "Settings saved.",
	[WEB_FLASH_PASSWORD_CHANGED] = "Your password is changed; every other session is signed out.",
	[WEB_FLASH_SITE_SAVED] = "The site's name, description and about page are saved.",
	[WEB_FLASH_FOLLOWED] = "You now follow @@.",
	[WEB_FLASH_UNFOLLOWED] = "You no longer follow @@.",
	[WEB_FLASH_CIRCLE_CREATED] = "The circle is made. Invite people by handle or with a link.",
	[WEB_FLASH_CIRCLE_INVITED] = "@@ is invited. They are not in the circle until they "
				     "accept, on their Circles page.",
	[WEB_FLASH_MEMBER_REMOVED] = "@@ is no longer in this circle.",
	[WEB_FLASH_INVITE_REVOKED] = "The invitation link no longer works.",
	[WEB_FLASH_SUSPENDED] = "@@ is suspended: the account cannot sign in, and nothing it wrote is "
				"shown to anyone.",
	[WEB_FLASH_UNSUSPENDED] = "@@ is no longer suspended: the account can sign in, and what it "
				  "wrote is shown again.",
	[WEB_FLASH_ACCOUNT_DELETED] = "The account @@ is deleted.",
	[WEB_FLASH_INVITATION_WITHDRAWN] = "The invitation of @@ is withdrawn.",
	[WEB_FLASH_CIRCLE_DELETED] = "The circle is deleted; its stories are private now.",
	[WEB_FLASH_PHOTO_SAVED] = "The photo is saved.",
	[WEB_FLASH_PHOTO_DELETED] = "The photo is deleted.",
	[WEB_FLASH_PHOTO_ADDED] = "The photo is added to the end of your story.",
	[WEB_FLASH_IMPORT_STARTED] = "Your export is uploaded. Its stories are coming in; this page "
				     "shows how far it has come.",
	[WEB_FLASH_AVATAR_SAVED] = "Your photo is saved: readers see it on your profile and at the "
				   "end of your stories.",
	[WEB_FLASH_AVATAR_REMOVED] = "Your photo is removed.",
	[WEB_FLASH_LOGO_SAVED] = "The site's logo is saved: it shows beside the site's name and as "
				 "its icon.",
	[WEB_FLASH_LOGO_REMOVED] = "The site's logo is removed.",
	[WEB_FLASH_IMPORT_PHOTOS] = "Quire is fetching your missing photos again; this page shows "
				    "how it goes.",
};

static const char *cookie_name(void)
{
	return web_cfg->https ? "__Host-quire_flash" : "quire_flash";
}

static bool arg_ok(const char *a)
{
	size_t n = 0;
	for (; a[n]; n++) {
		char c = a[n];
		if (n >= FLASH_ARG_MAX || !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

static void flash_mac(int code, const char *arg, long long exp, char out[65])
{
	char msg[96];
	int n = snprintf(msg, sizeof(msg), "flash:%d:%s:%lld", code, arg, exp);
	mac_hex(web_cfg->key, msg, (size_t)n, out);
}

void web_flash(struct http_req *req, struct http_res *res, enum web_flash code, const char *handle)
{
	if (code <= WEB_FLASH_NONE || code >= WEB_FLASH_COUNT || !messages[code])
		return;
	if (!handle || !arg_ok(handle))
		handle = "";
	long long exp = (long long)clock_now() + FLASH_TTL;
	char mac[65];
	flash_mac((int)code, handle, exp, mac);
	mac[32] = '\0';
	http_res_header(req, res, "Set-Cookie",
			arena_printf(&req->arena,
				     "%s=%d.%s.%lld.%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s",
				     cookie_name(), (int)code, handle, exp, mac, FLASH_TTL,
				     web_cfg->https ? "; Secure" : ""));
}

/* The sentence for a cookie value "CODE.ARG.EXP.MAC", or NULL. */
static const char *flash_decode(struct http_req *req, const char *v)
{
	char code_s[8], arg[FLASH_ARG_MAX + 1], exp_s[24], mac[40];
	const char *p = v;
	char *fields[4] = {code_s, arg, exp_s, mac};
	size_t caps[4] = {sizeof(code_s), sizeof(arg), sizeof(exp_s), sizeof(mac)};
	for (int i = 0; i < 4; i++) {
		const char *end = i < 3 ? strchr(p, '.') : p + strlen(p);
		if (!end || (size_t)(end - p) >= caps[i])
			return NULL;
		memcpy(fields[i], p, (size_t)(end - p));
		fields[i][end - p] = '\0';
		p = i < 3 ? end + 1 : end;
	}
	char *e;
	errno = 0;
	long code = strtol(code_s, &e, 10);
	if (errno || *e || e == code_s || code <= WEB_FLASH_NONE || code >= WEB_FLASH_COUNT ||
	    !messages[code] || !arg_ok(arg))
		return NULL;
	long long exp = strtoll(exp_s, &e, 10);
	long long now = (long long)clock_now();
	if (errno || *e || e == exp_s || exp < now || exp > now + FLASH_TTL + 5)
		return NULL;
	char want[65];
	flash_mac((int)code, arg, exp, want);
	if (strlen(mac) != 32 || !ct_equal(mac, want, 32))
		return NULL;
	/* "@@" becomes "@handle" (or is left out when there is no handle). */
	struct buf b;
	buf_init(&b, 1024);
	for (const char *m = messages[code]; *m; m++) {
		if (m[0] == '@' && m[1] == '@') {
			if (arg[0])
				buf_addf(&b, "@%s", arg);
			else
				buf_adds(&b, "the writer");
			m++;
		} else {
			buf_addch(&b, *m);
		}
	}
	const char *out = arena_strdup(&req->arena, buf_str(&b));
	buf_release(&b);
	return out;
}

const char *web_flash_take(struct http_req *req)
{
	const char *v = http_req_cookie(req, cookie_name());
	if (!v)
		return NULL;
	web_req(req)->flash_clear = true;
	return flash_decode(req, v);
}

bool web_flash_pending(struct http_req *req)
{
	return http_req_cookie(req, cookie_name()) != NULL;
}

void web_flash_clear(struct http_req *req, struct http_res *res)
{
	http_res_header(req, res, "Set-Cookie",
			arena_printf(&req->arena, "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax%s",
				     cookie_name(), web_cfg->https ? "; Secure" : ""));
}

bool web_confirmed(struct http_req *req)
{
	const char *c = http_req_form(req, "confirm");
	return c && strcmp(c, "1") == 0;
}

void web_confirm_render(struct http_req *req, struct http_res *res, const char *heading,
			const char *text, const char *action_url, const char *const *fields,
			size_t nfields, const char *button, const char *cancel_url)
{
	json_t *ctx = web_page_context(req, heading);
	json_t *fs = json_array();
	for (size_t i = 0; i < nfields; i++)
		json_array_append_new(fs, json_pack("{s:s,s:s}", "name", fields[2 * i], "value",
						    fields[2 * i + 1] ? fields[2 * i + 1] : ""));
	json_object_set_new(ctx, "confirm",
			    json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:s}", "heading", heading, "text", text,
				      "action", action_url, "fields", fs, "button", button,
				      "cancel_url", cancel_url, "cancel", "Cancel"));
	json_object_set_new(ctx, "noindex", json_true());
	web_page_render(req, res, 200, "confirm", ctx);
}
