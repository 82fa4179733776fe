#!/usr/bin/env python3
"""generate.py - writes payloads.jsonl, the stored-XSS corpus used by
tests/browser/test_xss.py. Run it again after editing the lists below:

    python3 tests/data/xss/generate.py

Every payload, if it ever ran, calls window.__xss(N) (N = its line
number), or alert/confirm/prompt, which the test also hooks. The vectors
are written for this project; the families follow the public OWASP "XSS
Filter Evasion Cheat Sheet" and PortSwigger "Cross-site scripting cheat
sheet" (see README.md here), not copied from them.

One JSON string per line (JSON so that tabs, newlines, NUL-free control
characters and odd Unicode survive). The order is stable.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
CALL = "__xss(%d)"


def build():
    out = []

    def add(tmpl):
        # %N is replaced by the call with this payload's number.
        n = len(out) + 1
        p = tmpl.replace("%N", CALL % n)
        if p not in out:
            out.append(p)

    # 1. script elements, case and spacing variants, broken and nested.
    for t in ["<script>%N</script>", "<SCRIPT>%N</SCRIPT>", "<ScRiPt>%N</sCrIpT>",
              "<script >%N</script >", "<script\t>%N</script>", "<script\n>%N</script>",
              "<script/x>%N</script>", "<script type=module>%N</script>",
              "<script type=text/javascript>%N</script>", "<script>%N//",
              "<script>%N", "<<script>%N//<</script>", "<scr<script>ipt>%N</scr</script>ipt>",
              "<script src=data:,%N></script>", "<script src=\"data:text/javascript,%N\"></script>",
              "</title><script>%N</script>", "</textarea><script>%N</script>",
              "</style><script>%N</script>", "</noscript><script>%N</script>",
              "--><script>%N</script>", "]]><script>%N</script>",
              "<!--<script>-->%N<!--</script>-->", "<script>/*</script>*/%N</script>",
              "\"><script>%N</script>", "'><script>%N</script>", "><script>%N</script>",
              "</p><script>%N</script><p>", "<svg><script>%N</script></svg>",
              "<math><script>%N</script></math>", "<script>%N</script",
              "<script x='>'>%N</script>", "<\u0000script>%N</script>".replace("\u0000", ""),
              "<script>\u2028%N</script>", "<scr\u200bipt>%N</script>",
              "%3Cscript%3E%N%3C/script%3E", "&lt;script&gt;%N&lt;/script&gt;",
              "\\u003cscript\\u003e%N\\u003c/script\\u003e", "<template><script>%N</script></template>",
              "<xmp><script>%N</script></xmp>", "<plaintext><script>%N</script>",
              "<noembed><script>%N</script></noembed>", "<iframe srcdoc=\"<script>parent.%N</script>\"></iframe>"]:
        add(t)

    # 2. event handlers on many elements (fire without interaction where
    #    possible: error, load, focus+autofocus, toggle, animation).
    handlers = [
        "<img src=x onerror=%N>", "<img src=x onerror=\"%N\">", "<img src=x onerror='%N'>",
        "<img src=x onerror=`%N`>", "<IMG SRC=x OnErRoR=%N>", "<img src=x\tonerror=%N>",
        "<img src=x\nonerror=%N>", "<img src=x/onerror=%N>", "<img/src=x/onerror=%N>",
        "<img src=x onerror=%N//", "<img src onerror=%N>", "<img src=\"x\" onerror  =  %N>",
        "<img src=x onerror=&#95;&#95;xss(0)>", "<img src=x onerror=window['__x'+'ss'](0)>",
        "<img \"\"\"><script>%N</script>\">", "<img src=`x`onerror=%N>",
        "<image src=x onerror=%N>", "<picture><img src=x onerror=%N></picture>",
        "<svg onload=%N>", "<svg/onload=%N>", "<svg onload=%N//", "<SVG ONLOAD=%N>",
        "<svg><animate onbegin=%N attributeName=x dur=1s>",
        "<svg><set onbegin=%N attributename=x to=1>",
        "<svg><image href=x onerror=%N></svg>", "<svg><a><rect width=100 height=100 onload=%N /></a></svg>",
        "<body onload=%N>", "<body onpageshow=%N>", "<iframe onload=%N></iframe>",
        "<iframe src=x onload=%N></iframe>", "<object data=x onerror=%N></object>",
        "<video src=x onerror=%N></video>", "<video><source onerror=%N></video>",
        "<audio src=x onerror=%N></audio>", "<input autofocus onfocus=%N>",
        "<input onfocus=%N autofocus>", "<textarea autofocus onfocus=%N></textarea>",
        "<select autofocus onfocus=%N></select>", "<button autofocus onfocus=%N>b</button>",
        "<a href=#x id=x tabindex=1 autofocus onfocus=%N>a</a>",
        "<div tabindex=1 autofocus onfocus=%N>d</div>", "<details open ontoggle=%N>",
        "<details/open/ontoggle=%N>", "<marquee onstart=%N>m</marquee>",
        "<style>@keyframes k{}</style><div style=animation-name:k onanimationstart=%N>",
        "<div style=\"animation:k 1s\" onanimationend=%N>", "<link rel=stylesheet href=x onerror=%N>",
        "<link rel=stylesheet href=x onload=%N>", "<embed src=x onload=%N>",
        "<track src=x onerror=%N>", "<input type=image src=x onerror=%N>",
        "<form><button formaction=javascript:%N>go</button></form>",
        "<isindex type=image src=x onerror=%N>", "<keygen autofocus onfocus=%N>",
        "<frameset onload=%N>", "<table background=javascript:%N>",
        "<div onmouseover=%N style=position:fixed;top:0;left:0;width:100%;height:100%>hover</div>",
        "<p onclick=%N>click</p>", "<x onpointerover=%N>x</x>", "<a onfocusin=%N autofocus tabindex=0>a</a>",
        "<body onscroll=%N><div style=height:5000px></div>",
        "<svg><style>@import'x';</style><image href=x onerror=%N>",
        "<img src=x onerror=\"javascript:%N\">", "<img src=x onerror=eval(atob('X194c3MoMCk='))>",
        "<img src=x onerror=eval('\\x5f\\x5fxss(0)')>", "<img src=x onerror=setTimeout('%N')>",
        "<img src=x onerror=top[`__xss`](0)>", "<img src=x onerror=(0,__xss)(0)>",
        "<img src=x onerror=alert(1)>", "<img src=x onerror=confirm(1)>", "<img src=x onerror=prompt(1)>",
        "<svg onload=alert&lpar;1&rpar;>", "<img src=x onerror=alert&#40;1&#41;>",
    ]
    for t in handlers:
        add(t)

    # 3. dangerous URL schemes in href/src/action, with case, entity,
    #    whitespace and control-character variants.
    schemes = ["javascript:%N", "JavaScript:%N", "JAVASCRIPT:%N", "javascript&colon;%N",
               "java\tscript:%N", "java\nscript:%N", "java\rscript:%N", " javascript:%N",
               "\x01javascript:%N", "javascript\t:%N", "&#106;avascript:%N",
               "&#x6A;avascript:%N", "&#0000106;avascript:%N", "&#x6a&#x61&#x76&#x61script:%N",
               "jav&#x09;ascript:%N", "jav&#x0A;ascript:%N", "jav&#x0D;ascript:%N",
               "javascript%3A%N", "%6Aavascript:%N", "javascript://%0a%N",
               "javascript://comment%250a%N", "vbscript:msgbox(1)", "VBScript:%N",
               "data:text/html,<script>parent.%N</script>",
               "data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3MoMCk8L3NjcmlwdD4=",
               "DATA:text/html,<script>parent.%N</script>", "data:image/svg+xml,<svg onload=parent.%N>",
               "data:application/javascript,%N", "livescript:%N", "mocha:%N"]
    for s in schemes:
        add("<a href=\"%s\">link</a>" % s)
        add("[link](%s)" % s.replace(" ", "%20"))
    for s in ["javascript:%N", "JaVaScRiPt:%N", "&#106;avascript:%N", "java\tscript:%N",
              "vbscript:%N", "data:text/html,<script>parent.%N</script>"]:
        add("<iframe src=\"%s\"></iframe>" % s)
        add("<img src=\"%s\">" % s)
        add("![img](%s)" % s.replace(" ", "%20"))
        add("<form action=\"%s\"><input type=submit></form>" % s)
        add("<object data=\"%s\"></object>" % s)
        add("<embed src=\"%s\">" % s)
        add("<svg><a xlink:href=\"%s\"><text y=20>t</text></a></svg>" % s)
        add("<math><maction actiontype=statusline xlink:href=\"%s\">m</maction></math>" % s)
    for s in ["javascript:%N", "JAVASCRIPT:%N", "javascript&#58;%N", "data:text/html,<script>parent.%N</script>"]:
        add("<%s>" % s)                         # Markdown autolink
        add("[ref][r]\n\n[r]: %s" % s)          # reference link
        add("[ref]\n\n[ref]: <%s> \"t\"" % s)
        add("<base href=\"%s//\"><a href=x>b</a>" % s)
        add("<meta http-equiv=refresh content=\"0;url=%s\">" % s)
        add("<button form=f formaction=\"%s\">b</button>" % s)

    # 4. attribute breakouts for every quoting style, and text contexts.
    for q in ['"', "'", "", "`"]:
        for tail in [" autofocus onfocus=%N x=", " onmouseover=%N x=", "><script>%N</script>",
                     "><img src=x onerror=%N>", " style=animation-name:k onanimationstart=%N x="]:
            add(q + tail + q)
    for t in ["\" onload=\"%N", "' onload='%N", "\"/><svg onload=%N>", "\"><!--", "'--><svg onload=%N>",
              "\u0022><img src=x onerror=%N>", "&quot;><img src=x onerror=%N>",
              "&#34;><img src=x onerror=%N>", "&#x22;><img src=x onerror=%N>",
              "\\\"><img src=x onerror=%N>", "%22%3E%3Cimg%20src=x%20onerror=%N%3E",
              "\"></textarea><img src=x onerror=%N>", "</textarea><svg onload=%N>",
              "\"></title><svg onload=%N>", "\" content=\"0;url=javascript:%N\" http-equiv=\"refresh",
              "\"></option></select><img src=x onerror=%N>", "\"></label><svg onload=%N>",
              "\"></a><img src=x onerror=%N>", "</script><script>%N</script>",
              "</template><img src=x onerror=%N>", "</noscript><img src=x onerror=%N>",
              "</style><img src=x onerror=%N>", "</xmp><img src=x onerror=%N>",
              "</iframe><img src=x onerror=%N>", "<!--><img src=x onerror=%N>-->",
              "<![CDATA[><img src=x onerror=%N>]]>", "<? ><img src=x onerror=%N> ?>",
              "<!DOCTYPE x><img src=x onerror=%N>"]:
        add(t)

    # 5. SVG and MathML specifics, namespace confusion.
    for t in ["<svg><foreignObject><img src=x onerror=%N></foreignObject></svg>",
              "<svg><desc><img src=x onerror=%N></desc></svg>",
              "<svg><title><img src=x onerror=%N></title></svg>",
              "<math><mtext><table><mglyph><style><img src=x onerror=%N>",
              "<math><mi xlink:href=\"javascript:%N\">m</mi></math>",
              "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='x' onerror='parent.%N'/></svg>#x\"/></svg>",
              "<svg><handler xmlns:ev=\"http://www.w3.org/2001/xml-events\" ev:event=\"load\">%N</handler></svg>",
              "<svg><script href=\"data:,%N\"/></svg>", "<svg><script xlink:href=\"data:,%N\"></script></svg>",
              "<svg><discard onbegin=%N>", "<svg><animate attributeName=href values=javascript:%N /><a><text y=9>x</text></a></svg>",
              "<svg><style><img src=x onerror=%N></style></svg>",
              "<svg></p><style><a id=\"</style><img src=x onerror=%N>\">",
              "<noscript><p title=\"</noscript><img src=x onerror=%N>\">",
              "<form><math><mtext></form><form><mglyph><svg><mtext><style><path id=\"</style><img src=x onerror=%N>\">",
              "<svg><![CDATA[><image href=x onerror=%N>]]></svg>",
              "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"%N\"/>"]:
        add(t)

    # 6. broken and nested markup, parser differentials.
    for t in ["<img src=x onerror=%N", "<img src=\"x\" onerror=\"%N", "<<img src=x onerror=%N>>",
              "<img src=x onerror=%N/>", "<img src=x onerror=%N></img>", "<div><img src=x onerror=%N></span>",
              "<a href=\"<img src=x onerror=%N>\">", "<a title=\"<img src=x onerror=%N>\">t</a>",
              "<p <img src=x onerror=%N>>", "<img src=x onerror=%N <", "<img<!-- --> src=x onerror=%N>",
              "<img src=x one<x>rror=%N>", "<im<x>g src=x onerror=%N>", "<img src=x on\x00error=%N>".replace("\x00", ""),
              "<img src=x onerror=%N\u00a0>", "<img\u000csrc=x\u000conerror=%N>", "<img src=x onerror\u000c=%N>",
              "<</p>img src=x onerror=%N>", "<!--<img src=\"--><img src=x onerror=%N//\">",
              "<a><a><a><a><img src=x onerror=%N></a></a></a></a>",
              "<table><td><img src=x onerror=%N></td></table>", "<table><img src=x onerror=%N>",
              "<select><img src=x onerror=%N></select>", "<select><style></select><img src=x onerror=%N></style>",
              "<textarea><img src=x onerror=%N></textarea>", "<title><img src=x onerror=%N></title>",
              "<noframes><img src=x onerror=%N></noframes>", "<iframe><img src=x onerror=%N></iframe>",
              "<object><param name=x value=\"<img src=x onerror=%N>\"></object>",
              "<div style=\"background:url(javascript:%N)\">d</div>",
              "<div style=\"width:expression(%N)\">d</div>", "<style>*{background:url('javascript:%N')}</style>",
              "<style>@import 'javascript:%N';</style>", "<link rel=import href=\"data:text/html,<script>%N</script>\">",
              "<base href=//evil.example/>", "<meta charset=utf-7>+ADw-script+AD4-%N+ADw-/script+AD4-",
              "+ADw-script+AD4-%N+ADw-/script+AD4-", "\ufeff<script>%N</script>",
              "<scr\u0131pt>%N</scr\u0131pt>", "\uff1cscript\uff1e%N\uff1c/script\uff1e",
              "<a href=\"\u2028javascript:%N\">a</a>", "<a href=\"javascript\u2028:%N\">a</a>",
              "<img src=x:alert(1) onerror=eval(src)>", "<img src=x onerror=\"&#x5F;&#x5F;xss&#x28;0&#x29;\">"]:
        add(t)

    # 7. Markdown-specific shapes (the body is Markdown).
    for t in ["[a](javascript:%N \"t\")", "[a](<javascript:%N>)", "[a]( javascript:%N )",
              "[a](javascript&#58;%N)", "[a](javas&#99;ript:%N)", "[a](java%09script:%N)",
              "[a](jAvAsCrIpT:%N)", "[a](data:text/html;base64,PHNjcmlwdD5fX3hzcygwKTwvc2NyaXB0Pg==)",
              "![a](x\"onerror=\"%N)", "![a\"onerror=\"%N](x)", "[a](x\" onmouseover=\"%N)",
              "[a](https://x.example/\"onmouseover=\"%N)", "![x](https://x.example/a.png\"onerror=\"%N)",
              "`<script>%N</script>`", "```\n<script>%N</script>\n```", "    <script>%N</script>",
              "> <script>%N</script>", "- <img src=x onerror=%N>", "| a |\n|---|\n| <img src=x onerror=%N> |",
              "~~<img src=x onerror=%N>~~", "**<img src=x onerror=%N>**", "_<svg onload=%N>_",
              "[^1]\n\n[^1]: <img src=x onerror=%N>", "<details><summary>s</summary><img src=x onerror=%N></details>",
              "www.example.com/<script>%N</script>", "https://example.com/\"><script>%N</script>",
              "https://x.example/?a=<img src=x onerror=%N>", "<https://x.example/\"onmouseover=\"%N>",
              "[<img src=x onerror=%N>](https://x.example)", "![<img src=x onerror=%N>](x.png)",
              "# <script>%N</script>", "Title\n===\n<img src=x onerror=%N>",
              "<div>\n\n*<img src=x onerror=%N>*\n\n</div>", "\\<script>%N\\</script>",
              "&lt;img src=x onerror=%N&gt;", "[x]: javascript:%N\n[y][x]"]:
        add(t)

    # 8. template injection and server-side shapes: must come out as text.
    for t in ["{{constructor.constructor('%N')()}}", "{{%N}}", "{{{%N}}}", "{{&%N}}",
              "{{#x}}<img src=x onerror=%N>{{/x}}", "{{=<% %>=}}<img src=x onerror=%N>",
              "{{> evil}}<img src=x onerror=%N>", "{{! comment }}<svg onload=%N>",
              "${%N}", "#{%N}", "<%= %N %>", "{%N}", "[[%N]]", "{{'a'.constructor.prototype.charAt=[].join;$eval('x=%N');}}",
              "<div ng-app ng-csp><div ng-focus=\"%N\" autofocus tabindex=0>a</div></div>",
              "<div v-html=\"'<img src=x onerror=%N>'\"></div>", "{{7*7}}<img src=x onerror=%N>",
              "%s%s%s%n<img src=x onerror=%N>", "\\x3cscript\\x3e%N\\x3c/script\\x3e",
              "<script>%N</script>\u0000", "\u202e<script>%N</script>", "<img src=x onerror=%N>\U0001F600"]:
        add(t.replace("\u0000", ""))

    # 9. combinations: each scheme variant in an event-handler-free link,
    #    and each tag family with each quoting of the handler, to reach 300+.
    tags = ["img src=x onerror", "svg onload", "body onload", "video src=x onerror", "audio src=x onerror",
            "input autofocus onfocus", "details open ontoggle", "iframe onload", "object data=x onerror",
            "marquee onstart"]
    for tag in tags:
        for q in ['"', "'", ""]:
            add("<%s=%s%%N%s>" % (tag, q, q))
    return out


def main():
    payloads = build()
    with open(os.path.join(HERE, "payloads.jsonl"), "w", encoding="utf-8") as f:
        for p in payloads:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    print("%d payloads" % len(payloads))


if __name__ == "__main__":
    main()
