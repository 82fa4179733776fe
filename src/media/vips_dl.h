/*
 * vips_dl.h - libvips (and the GLib calls that go with it) opened with
 * dlopen() at the first photo upload instead of linked: private to
 * ingest.c, the only file that calls libvips.
 *
 * Why: linking libvips maps about 110 shared libraries into the server
 * (librsvg, poppler, OpenEXR, HDF5, ImageMagick's delegates ...) before it
 * serves a page: 20 MB of resident memory that a reader-facing process
 * never uses. Opened on demand, they cost nothing until a writer uploads
 * a photo. Headers are still libvips' own, so every call below is checked
 * against the real prototype: each function f is reached through a
 * pointer of type __typeof__(f) *, and a macro makes the call sites read
 * as plain calls.
 *
 * vips_dl_open() must succeed before any of them is called.
 */
#ifndef QUIRE_MEDIA_VIPS_DL_H
#define QUIRE_MEDIA_VIPS_DL_H

#include <stdbool.h>
#include <vips/vips.h>
#include <vips/vector.h>

#define VIPS_DL_FUNCS(X)                                                                     \
	X(vips_init) X(vips_version) X(vips_shutdown) X(vips_error_buffer) X(vips_error_clear)   \
	X(vips_error) X(vips_block_untrusted_set) X(vips_cache_set_max) X(vips_leak_set) X(vips_vector_set_enabled)         \
	X(vips_thread_shutdown) X(vips_source_new_from_descriptor) X(vips_jpegload_source)       \
	X(vips_pngload_source) X(vips_gifload_source) X(vips_webpload_source)                    \
	X(vips_heifload_source) X(vips_image_get_typeof) X(vips_icc_transform)                  \
	X(vips_colourspace) X(vips_cast_uchar) X(vips_image_get_fields) X(vips_image_remove)     \
	X(vips_webpsave_buffer) X(vips_jpegsave_buffer) X(vips_image_hasalpha)                   \
	X(vips_array_double_newv) X(vips_flatten) X(vips_area_unref) X(vips_resize)             \
	X(vips_gaussblur) X(vips_image_copy_memory) X(vips_autorot)                              \
	X(vips_image_get_orientation) X(vips_image_get_orientation_swap)                         \
	X(g_object_ref) X(g_object_unref) X(g_free) X(g_malloc) X(g_strfreev)

#define VIPS_DL_DECLARE(f) extern __typeof__(f) *vips_dl_##f;
VIPS_DL_FUNCS(VIPS_DL_DECLARE)
#undef VIPS_DL_DECLARE

/* Open libvips and resolve every function above; false (with a message
 * on stderr) if it is not installed or lacks one. Call once. */
bool vips_dl_open(void);

#ifndef VIPS_DL_IMPLEMENTATION
#undef g_object_ref
#define vips_init (*vips_dl_vips_init)
#define vips_version (*vips_dl_vips_version)
#define vips_shutdown (*vips_dl_vips_shutdown)
#define vips_error_buffer (*vips_dl_vips_error_buffer)
#define vips_error_clear (*vips_dl_vips_error_clear)
#define vips_error (*vips_dl_vips_error)
#define vips_block_untrusted_set (*vips_dl_vips_block_untrusted_set)
#define vips_cache_set_max (*vips_dl_vips_cache_set_max)
#define vips_leak_set (*vips_dl_vips_leak_set)
#define vips_vector_set_enabled (*vips_dl_vips_vector_set_enabled)
#define vips_thread_shutdown (*vips_dl_vips_thread_shutdown)
#define vips_source_new_from_descriptor (*vips_dl_vips_source_new_from_descriptor)
#define vips_jpegload_source (*vips_dl_vips_jpegload_source)
#define vips_pngload_source (*vips_dl_vips_pngload_source)
#define vips_gifload_source (*vips_dl_vips_gifload_source)
#define vips_webpload_source (*vips_dl_vips_webpload_source)
#define vips_heifload_source (*vips_dl_vips_heifload_source)
#define vips_image_get_typeof (*vips_dl_vips_image_get_typeof)
#define vips_icc_transform (*vips_dl_vips_icc_transform)
#define vips_colourspace (*vips_dl_vips_colourspace)
#define vips_cast_uchar (*vips_dl_vips_cast_uchar)
#define vips_image_get_fields (*vips_dl_vips_image_get_fields)
#define vips_image_remove (*vips_dl_vips_image_remove)
#define vips_webpsave_buffer (*vips_dl_vips_webpsave_buffer)
#define vips_jpegsave_buffer (*vips_dl_vips_jpegsave_buffer)
#define vips_image_hasalpha (*vips_dl_vips_image_hasalpha)
#define vips_array_double_newv (*vips_dl_vips_array_double_newv)
#define vips_flatten (*vips_dl_vips_flatten)
#define vips_area_unref (*vips_dl_vips_area_unref)
#define vips_resize (*vips_dl_vips_resize)
#define vips_gaussblur (*vips_dl_vips_gaussblur)
#define vips_image_copy_memory (*vips_dl_vips_image_copy_memory)
#define vips_autorot (*vips_dl_vips_autorot)
#define vips_image_get_orientation (*vips_dl_vips_image_get_orientation)
#define vips_image_get_orientation_swap (*vips_dl_vips_image_get_orientation_swap)
#define g_object_ref (*vips_dl_g_object_ref)
#define g_object_unref (*vips_dl_g_object_unref)
#define g_free (*vips_dl_g_free)
#define g_malloc (*vips_dl_g_malloc)
#define g_strfreev (*vips_dl_g_strfreev)
#endif

#endif
