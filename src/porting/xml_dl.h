/*
 * xml_dl.h - libxml2 opened with dlopen() at the first WordPress import
 * instead of linked: private to wxr.c, the only file that parses XML.
 *
 * Why: Debian's libxml2 loads ICU, and ICU the C++ runtime; linked, the
 * three put 1.7 MB of resident pages into every server before it serves
 * a page (libstdc++'s and ICU's start-up code runs at load), for an
 * import an operator runs once. The headers are libxml2's own, so every
 * call is checked against the real prototype (__typeof__), as the
 * photo library's opener in src/media/ does.
 *
 * xml_dl_open() must succeed before any of them is called.
 */
#ifndef QUIRE_PORTING_XML_DL_H
#define QUIRE_PORTING_XML_DL_H

#include <stdbool.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

/* xmlFree is a variable (a function pointer): its address is resolved
 * like the functions' and the macro below reads it, as a call reads it. */
#define XML_DL_FUNCS(X)                                                                     \
	X(xmlCtxtGetLastError) X(xmlCtxtReadMemory) X(xmlDocGetRootElement) X(xmlFree)        \
	X(xmlFreeDoc) X(xmlFreeParserCtxt) X(xmlGetLineNo) X(xmlGetProp) X(xmlNewParserCtxt)    \
	X(xmlNodeGetContent) X(xmlSetGenericErrorFunc)

#define XML_DL_DECLARE(f) extern __typeof__(f) *xml_dl_##f;
XML_DL_FUNCS(XML_DL_DECLARE)
#undef XML_DL_DECLARE

/* Open libxml2 and resolve every function above, once for the process;
 * false (and why, in err) if it is not installed or lacks one. Safe to
 * call from any thread, any number of times. */
bool xml_dl_open(char *err, size_t errlen);

#ifndef XML_DL_IMPLEMENTATION
#define xmlCtxtGetLastError (*xml_dl_xmlCtxtGetLastError)
#define xmlCtxtReadMemory (*xml_dl_xmlCtxtReadMemory)
#define xmlDocGetRootElement (*xml_dl_xmlDocGetRootElement)
#define xmlFree (*xml_dl_xmlFree)
#define xmlFreeDoc (*xml_dl_xmlFreeDoc)
#define xmlFreeParserCtxt (*xml_dl_xmlFreeParserCtxt)
#define xmlGetLineNo (*xml_dl_xmlGetLineNo)
#define xmlGetProp (*xml_dl_xmlGetProp)
#define xmlNewParserCtxt (*xml_dl_xmlNewParserCtxt)
#define xmlNodeGetContent (*xml_dl_xmlNodeGetContent)
#define xmlSetGenericErrorFunc (*xml_dl_xmlSetGenericErrorFunc)
#endif

#endif
